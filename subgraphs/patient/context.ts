import DataLoader from 'dataloader';
import type { GraphQLError } from 'graphql';
import {
  createAccessLoader,
  type AccessContext,
  type AccessRequestKey,
  type PatientAccessDecision,
} from '../../platform/authz/index.js';
import type { FieldCipher } from '../../platform/crypto/index.js';
import type { RequestContext } from '../../platform/federation/context.js';
import { requireUuid } from '../../platform/federation/ids.js';
import { ownAccessFacts, readAccessFacts } from './access.js';
import { createLoaders, type PatientLoaders } from './loaders.js';
import type { PartialPatientView, PhiField } from './store/patient-codec.js';
import { readPatients } from './store/patient-repository.js';
import { createPatientRows, type PatientRow } from './store/patient-rows.js';

/** Long-lived services the patient subgraph's resolvers share. */
export interface PatientServices {
  cipher: FieldCipher;
  /** Blind-index key (separate from the data keys). */
  indexKey: Buffer;
  breakGlassMinutes: number;
  /** The audit log's public key (JWK), published so patients' apps can check inclusion proofs. */
  auditPublicKeyFile: string;
}

/** The patient subgraph's request context. */
export interface PatientContext extends AccessContext {
  loaders: PatientLoaders;
  /** Patients with the facts to decide on them, one statement per batch (reads). */
  patientRows: DataLoader<string, PatientRow>;
  /** Accesses to decide and audit, batched per tick (nested fields of lists). */
  access: DataLoader<AccessRequestKey, PatientAccessDecision, string>;
  /**
   * Patients referenced by other subgraphs (`_entities`), read through the
   * usual checks in one batch, decrypting the PHI fields the query selected.
   */
  references: DataLoader<PatientReference, PartialPatientView | GraphQLError, string>;
  services: PatientServices;
}

/** A referenced patient and the PHI fields the query selected on it. */
export interface PatientReference {
  id: string;
  fields: ReadonlySet<PhiField>;
}

function createReferenceLoader(
  ctx: PatientContext,
): DataLoader<PatientReference, PartialPatientView | GraphQLError, string> {
  return new DataLoader(
    async (refs) => {
      const ids = refs.map((r) => r.id);
      const fields = new Set(refs.flatMap((r) => [...r.fields]));
      const valid = ids.map((id) => {
        try {
          return requireUuid(id);
        } catch (err) {
          return err as GraphQLError;
        }
      });
      const result = await readPatients(
        ctx,
        valid.filter((v): v is string => typeof v === 'string'),
        'read',
        { fields, careTeam: false },
      );
      return valid.map((v) => (typeof v === 'string' ? result.get(v)! : v));
    },
    {
      // A later reference asking for other fields is read (and audited) again, never served short.
      cacheKeyFn: (r) => JSON.stringify([r.id, [...r.fields].sort()]),
    },
  );
}

/** A fresh context per request: its own loaders over the request's EntityManager. */
export function createPatientContext(
  base: RequestContext,
  services: PatientServices,
): PatientContext {
  // The batch loaders close over the context itself, so they are attached once it exists.
  const loaders = createLoaders(base.em, base.principal, base.now);
  const { principal, now } = base;
  const patientRows = createPatientRows(base.em, principal, now);
  const ctx = {
    ...base,
    services,
    loaders,
    patientRows,
    accessFacts: readAccessFacts(patientRows, principal.practitionerId),
    accessFactsFor: (em) =>
      ownAccessFacts(em, createLoaders(em, principal, now), principal.practitionerId, true),
  } as PatientContext;
  ctx.access = createAccessLoader(ctx);
  ctx.references = createReferenceLoader(ctx);
  return ctx;
}
