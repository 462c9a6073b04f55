import DataLoader from 'dataloader';
import { forbidden } from '../../platform/errors/index.js';
import { perRequest } from '../../platform/federation/per-request.js';
import { NO_ACCESS, readable, type BillingData, type BillingSubject } from './access.js';
import type { BillingContext } from './context.js';
import type { ClaimRow } from './store/claims.js';
import type { CoverageRow } from './store/coverage.js';

type Readable = BillingSubject & { id: string };

/**
 * A per-request loader of the records of `data` the caller may read, by id:
 * every batch (a list of claims with their coverage, the gateway's entity
 * references) decided and audited in one round. Refused and missing ids are null.
 */
const readableById =
  <T extends Readable>(
    data: BillingData,
    rows: (ctx: BillingContext) => DataLoader<string, T | null>,
  ) =>
  (ctx: BillingContext) =>
    new DataLoader<string, T | null | Error>(async (ids) => {
      const found = await rows(ctx).loadMany(ids);
      const records = found.filter((r): r is T => r !== null && !(r instanceof Error));
      const allowed = new Set((await readable(ctx, records, data, 'read')).map((r) => r.id));
      return found.map((r) => (r instanceof Error ? r : r && allowed.has(r.id) ? r : null));
    });

export const readableClaims = readableById<ClaimRow>('Claim', (ctx) => ctx.loaders.claim);
export const readableCoverages = readableById<CoverageRow>(
  'Coverage',
  (ctx) => ctx.loaders.coverage,
);

/**
 * The record `id` if the caller may read it (the read audited); otherwise
 * FORBIDDEN with one answer for a refused and a missing record.
 */
export async function readOne<T>(
  ctx: BillingContext,
  loader: (ctx: BillingContext) => DataLoader<string, T | null | Error>,
  id: string,
): Promise<T> {
  const record = await perRequest(ctx, loader).load(id);
  if (record instanceof Error) throw record;
  if (!record) throw forbidden(NO_ACCESS);
  return record;
}
