import type { SubgraphSpec } from '../platform/federation/subgraph-spec.js';
import { billingSpec } from './billing/spec.js';
import { careRoutingSpec } from './care-routing/spec.js';
import { fhirAdapterSpec } from './fhir-adapter/spec.js';
import { openDataSpec } from './open-data/spec.js';
import { patientSpec } from './patient/spec.js';
import { pharmacySpec } from './pharmacy/spec.js';
import { schedulingSpec } from './scheduling/spec.js';

/**
 * Every subgraph in the supergraph, in start order (and seed order: a later
 * seed may rely on an earlier one's rows). Adding a subgraph is its folder,
 * its `spec.ts`, and one line here (plus its docker-compose service).
 */
export const SUBGRAPHS: readonly SubgraphSpec[] = [
  patientSpec,
  schedulingSpec,
  billingSpec,
  fhirAdapterSpec,
  pharmacySpec,
  careRoutingSpec,
  openDataSpec,
];

/** The subgraph of this name; throws naming the known ones. */
export function subgraphNamed(name: string): SubgraphSpec {
  const spec = SUBGRAPHS.find((s) => s.name === name);
  if (!spec)
    throw new Error(`No subgraph ${name}: one of ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return spec;
}

/** The URL a subgraph is composed under (the gateway overrides it with where it really runs). */
export const composedUrl = (s: SubgraphSpec): string => `http://${s.name}:4001/graphql`;
