import fs from 'node:fs/promises';
import DataLoader from 'dataloader';
import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { readInclusionProofs, type InclusionProof } from '../../../platform/audit/index.js';
import type { PatientContext } from '../context.js';
import { AccessLogEntry } from './access-log.types.js';
import { AuditInclusionProof } from './access-log-proof.types.js';

/** One proof loader per request (and patient), so a page's proofs cost one statement. */
const loaders = new WeakMap<
  PatientContext,
  Map<string, DataLoader<number, InclusionProof | null>>
>();

function proofLoader(ctx: PatientContext, patientId: string) {
  let byPatient = loaders.get(ctx);
  if (!byPatient)
    loaders.set(ctx, (byPatient = new Map<string, DataLoader<number, InclusionProof | null>>()));
  let loader = byPatient.get(patientId);
  if (!loader) {
    loader = new DataLoader(async (seqs) => {
      const proofs = await readInclusionProofs(ctx.em, patientId, seqs);
      return seqs.map((s) => proofs.get(s) ?? null);
    });
    byPatient.set(patientId, loader);
  }
  return loader;
}

/** The public key once read, per subgraph instance (each has its own key file). */
const publicKeys = new WeakMap<PatientContext['services'], string>();

@Resolver(() => AccessLogEntry)
export class AccessLogProofResolver {
  @FieldResolver(() => AuditInclusionProof, {
    nullable: true,
    description:
      'Proof that this entry is in the signed audit log; null until the sealer has sealed it (about a second).',
  })
  inclusionProof(
    @Root() entry: AccessLogEntry,
    @Ctx() ctx: PatientContext,
  ): Promise<AuditInclusionProof | null> {
    // The entry was already authorised and audited with the access log that listed it.
    return proofLoader(ctx, entry.patientId).load(entry.seq);
  }

  @Query(() => String, {
    nullable: true,
    description:
      'The audit log’s public key (Ed25519 JWK, JSON), to check inclusion proofs and signed heads; null if the log has no key yet.',
  })
  async auditLogPublicKey(@Ctx() ctx: PatientContext): Promise<string | null> {
    const known = publicKeys.get(ctx.services);
    if (known) return known;
    // Not cached while missing: the signer writes the key after the subgraphs start.
    const read = await fs
      .readFile(ctx.services.auditPublicKeyFile, 'utf8')
      .then((text) => text.trim())
      .catch(() => undefined);
    if (read) publicKeys.set(ctx.services, read);
    return read ?? null;
  }
}
