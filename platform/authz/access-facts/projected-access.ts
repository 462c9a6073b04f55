import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../federation/context.js';
import type { Principal } from '../../identity/principal.js';
import type { AccessContext } from '../record-access.js';
import {
  FACTS,
  factsLockPart,
  factsOfRow,
  factsParams,
  projectedAccessFacts,
  type AccessFactsLoader,
  type FactsRow,
} from './facts.js';

/**
 * A subgraph's own rows for some patients, read with their access facts in
 * one statement: `sql` selects the rows (its `?` parameters are `params`),
 * `owner` names its column holding the patient id, and `orderBy` its columns
 * that order each patient's rows.
 */
export interface RowsWithFacts {
  sql: string;
  params: readonly unknown[];
  owner: string;
  orderBy?: readonly string[];
}

/** Reads rows with their patients' facts; the facts are primed into the request's facts loader. */
export type WithFacts = <R extends object>(
  patientIds: readonly string[],
  rows: RowsWithFacts,
) => Promise<Map<string, R[]>>;

const COLUMN = /^[a-z_][a-z0-9_]*$/;

/**
 * `WithFacts` over the projections: one statement returns each patient's
 * facts (as `projectedAccessFacts` reads them) beside its rows, the facts go
 * into `facts` (so the kernel decides on them without another statement),
 * and the rows come back by patient, for the caller to return only once the
 * kernel has allowed (and the audit recorded) each patient's access.
 */
export function projectedWithFacts(
  em: EntityManager,
  principal: Principal,
  now: Date,
  maxLagMs: number,
  facts: AccessFactsLoader,
): WithFacts {
  return async <R extends object>(patientIds: readonly string[], rows: RowsWithFacts) => {
    for (const c of [rows.owner, ...(rows.orderBy ?? [])])
      if (!COLUMN.test(c)) throw new Error(`not a column name: ${c}`);
    const order = ['f.fact_key', ...(rows.orderBy ?? []).map((c) => `d.${c}`)].join(', ');
    const found = await em.execute<(FactsRow & Record<string, unknown>)[]>(
      `WITH ${FACTS}
       SELECT f.*, d.* FROM facts f LEFT JOIN (${rows.sql}) d ON d.${rows.owner} = f.fact_key
        ORDER BY ${order}`,
      [...factsParams(patientIds, principal, now), ...rows.params],
    );
    const out = new Map<string, R[]>(patientIds.map((id) => [id, []]));
    for (const r of found) {
      const {
        fact_key,
        fact_known,
        fact_lag_ms,
        fact_consents,
        fact_on_team,
        fact_grants,
        ...row
      } = r;
      if (!out.has(fact_key)) out.set(fact_key, []);
      const f = { fact_key, fact_known, fact_lag_ms, fact_consents, fact_on_team, fact_grants };
      facts.prime(fact_key, factsOfRow(f, principal, maxLagMs));
      if (row[rows.owner] !== null && row[rows.owner] !== undefined)
        out.get(fact_key)!.push(row as R);
    }
    return out;
  };
}

/**
 * A consuming subgraph's kernel facts for one request: `accessFacts` on the
 * request's `em`, `accessFactsFor` a write's transaction (locking, unless the
 * write took the lock itself with `accessFactsLock` in its first statement),
 * and `withFacts` to read rows with their facts in one statement.
 */
export function projectedAccess(
  base: RequestContext,
  maxLagMs: number,
): Pick<AccessContext, 'accessFacts' | 'accessFactsFor' | 'accessFactsLock'> & {
  accessFacts: AccessFactsLoader;
  withFacts: WithFacts;
} {
  const { principal, now } = base;
  const accessFacts = projectedAccessFacts(base.em, principal, now, { maxLagMs });
  return {
    accessFacts,
    accessFactsFor: (em, lockHeld) =>
      projectedAccessFacts(em, principal, now, { maxLagMs, lock: !lockHeld }),
    accessFactsLock: factsLockPart,
    withFacts: projectedWithFacts(base.em, principal, now, maxLagMs, accessFacts),
  };
}
