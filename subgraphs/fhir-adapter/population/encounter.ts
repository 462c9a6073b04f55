import { ENCOUNTER } from './clinical-catalogue.js';
import { concept, dateTime, hl7Code, profile, SYSTEM, type Resource } from './fhir.js';
import { displayName } from './patient.js';
import type { Person } from './person.js';
import type { Diagnosis, Visit } from './timeline.js';

/** `Organization?identifier=<NPI>`: facilities come from CMS data by NPI, not as resources of this export. */
function provider(p: Person, v: Visit) {
  const f = v.kind === 'urgent' ? (p.urgentCare ?? p.hospital) : p.hospital;
  return f && { reference: `Organization?identifier=${SYSTEM.npi}|${f.npi}`, display: f.name };
}

/** The Encounter of a visit; `in-progress` with an open period if it outlasts the window. */
export function encounterResource(p: Person, v: Visit): Resource {
  const spec = ENCOUNTER[v.kind];
  const serviceProvider = provider(p, v);
  return {
    resourceType: 'Encounter',
    id: v.id,
    meta: profile('encounter'),
    identifier: [{ use: 'official', system: SYSTEM.synthea, value: v.id }],
    status: v.end === undefined ? 'in-progress' : 'finished',
    class: { system: SYSTEM.actCode, code: v.virtual ? 'VR' : spec.class },
    type: [concept(spec.type)],
    subject: { reference: `Patient/${p.id}`, display: displayName(p, v.start) },
    period: { start: dateTime(v.start), ...(v.end === undefined ? {} : { end: dateTime(v.end) }) },
    ...(v.reasons.length ? { reasonCode: v.reasons.map((c) => ({ coding: [c] })) } : {}),
    ...(serviceProvider ? { serviceProvider } : {}),
  };
}

/** A Condition recorded at a visit, as Synthea writes encounter diagnoses. */
export function conditionResource(p: Person, v: Visit, dx: Diagnosis): Resource {
  const resolved = dx.abatement !== undefined;
  return {
    resourceType: 'Condition',
    id: dx.id,
    meta: profile('condition-encounter-diagnosis'),
    clinicalStatus: hl7Code('condition-clinical', resolved ? 'resolved' : 'active'),
    verificationStatus: hl7Code('condition-ver-status', 'confirmed'),
    category: [hl7Code('condition-category', 'encounter-diagnosis', 'Encounter Diagnosis')],
    code: concept(dx.coding),
    subject: { reference: `Patient/${p.id}` },
    encounter: { reference: `Encounter/${v.id}` },
    onsetDateTime: dateTime(v.start),
    ...(resolved ? { abatementDateTime: dateTime(dx.abatement!) } : {}),
    recordedDate: dateTime(v.start),
  };
}
