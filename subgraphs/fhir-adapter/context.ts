import type { FieldCipher } from '../../platform/crypto/index.js';
import { projectedAccess, type AccessContext, type WithFacts } from '../../platform/authz/index.js';
import type { RequestContext } from '../../platform/federation/context.js';
import type { ForeignWriter } from './import/foreign.js';
import { createClinicalListLoader } from './loaders.js';

/** Long-lived services the FHIR adapter's resolvers, routes and jobs share. */
export interface FhirServices {
  cipher: FieldCipher;
  /** The blind-index key (codes, categories, labels, source ids). */
  indexKey: Buffer;
  /** `ACCESS_FACTS_MAX_LAG_MS`: PHI is refused when the access facts may lag more. */
  accessFactsMaxLagMs: number;
  /** Writes resources other subgraphs own (Patient, Practitioner…) through the graph. */
  foreign: ForeignWriter;
}

/** The FHIR adapter's request context. */
export interface FhirContext extends AccessContext {
  /** Reads rows with their patients' access facts in one statement (facts primed for the kernel). */
  withFacts: WithFacts;
  /** Every clinical list of every patient in a response, batched. */
  clinicalLists: ReturnType<typeof createClinicalListLoader>;
  services: FhirServices;
}

/** A fresh context per request. */
export function createFhirContext(base: RequestContext, services: FhirServices): FhirContext {
  // The batch loader closes over the context itself, so it is attached once the context exists.
  const ctx = {
    ...base,
    services,
    ...projectedAccess(base, services.accessFactsMaxLagMs),
  } as FhirContext;
  ctx.clinicalLists = createClinicalListLoader(ctx);
  return ctx;
}
