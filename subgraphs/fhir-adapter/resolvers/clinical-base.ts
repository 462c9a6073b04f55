import type { ClinicalResource, Coding } from './clinical-common.types.js';
import type { ClinicalRow } from './clinical-row.js';
import { coding, concepts, list, obj, referenceConcepts, type Json } from './fhir-read.js';

/** The code system of HL7 sensitivity labels (ETH, PSY, HIV, …). */
const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** The fields every clinical type shares. `fhir` carries the row's id and version in its meta. */
export function clinicalBase(row: ClinicalRow): ClinicalResource {
  const meta = obj(row.resource.meta) ?? {};
  const security = list(meta.security).flatMap((c) => coding(c) ?? []);
  const stated = new Set(security.map((c) => c.code));
  const labels: Coding[] = row.labels
    .filter((code) => !stated.has(code))
    .map((code) => ({ system: V3_ACT_CODE, code, display: null }));
  return {
    id: row.id,
    resourceType: row.type,
    version: row.version,
    lastUpdated: row.lastUpdated,
    status: row.status,
    securityLabels: [...security, ...labels],
    fhir: {
      ...row.resource,
      resourceType: row.type,
      id: row.id,
      meta: {
        ...meta,
        versionId: String(row.version),
        lastUpdated: row.lastUpdated.toISOString(),
      },
    },
    patientId: row.patientId,
  };
}

/** Coded reasons, then referenced ones (conditions, observations) by their display text. */
export function reasons(r: Json) {
  return [...concepts(r.reasonCode), ...referenceConcepts(r.reasonReference)];
}
