import { clinicalFacts, type ClinicalFacts, type ClinicalType } from '../domain/clinical-kinds.js';
import {
  securityLabels,
  segmentsOf,
  segmentsOfLabels,
  type SecurityLabel,
  type Segment,
} from '../../contracts/security-labels.js';
import type { FhirResource, PreparedResource } from './resource-writes.js';

/** The security labels a resource already carries (`meta.security`). */
export const labelsOn = (resource: FhirResource): SecurityLabel[] =>
  (resource.meta as { security?: SecurityLabel[] } | undefined)?.security ?? [];

/** The facts of a resource and the segments its codes (and any labels it carries) put it in. */
export function factsAndSegments(resource: FhirResource): {
  facts: ClinicalFacts;
  segments: Segment[];
} {
  const facts = clinicalFacts(resource as FhirResource & { resourceType: ClinicalType });
  const segments = [
    ...new Set([
      ...segmentsOf([...facts.codes, ...facts.categories]),
      ...segmentsOfLabels(labelsOn(resource)),
    ]),
  ];
  return { facts, segments };
}

/** The resource with `meta.security` set from its segments (existing labels kept, never lowered). */
export function withLabels(resource: FhirResource, segments: readonly Segment[]): FhirResource {
  const meta = (resource.meta ?? {}) as Record<string, unknown>;
  return { ...resource, meta: { ...meta, security: securityLabels(labelsOn(resource), segments) } };
}

/** A clinician's resource ready to write: facts, segments and labels from its codes. */
export function prepareResource(
  id: string,
  patientId: string,
  resource: FhirResource,
  expectedVersion?: number,
): PreparedResource {
  const { facts, segments } = factsAndSegments(resource);
  return {
    id,
    type: resource.resourceType as ClinicalType,
    patientId,
    resource: withLabels(resource, segments),
    facts,
    segments,
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  };
}
