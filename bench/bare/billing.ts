import DataLoader from 'dataloader';
import type pg from 'pg';

/** The bare billing subgraph: Patient.balance, the sum of `billing.ledger_entry` in one currency. */
export const BILLING_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Patient @key(fields: "id") {
    id: ID!
    balance: Money
  }
  type Money {
    amount: String!
    currency: String!
  }
`;

const CURRENCY = 'USD';

/** Minor units as a decimal string with two places, without floating point. */
export function decimal(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Per-request loaders: the balances of many patients in one statement. */
export function billingLoaders(pool: pg.Pool) {
  return {
    balance: new DataLoader<string, bigint>(async (ids) => {
      const { rows } = await pool.query<{ id: string; total: string }>(
        `SELECT account_patient_id AS id, SUM(amount_minor)::text AS total
           FROM billing.ledger_entry
          WHERE currency = $2 AND account_patient_id = ANY($1::uuid[])
          GROUP BY account_patient_id`,
        [ids, CURRENCY],
      );
      const byId = new Map(rows.map((r) => [r.id, BigInt(r.total)]));
      return ids.map((id) => byId.get(id) ?? 0n);
    }),
  };
}

export type BillingLoaders = ReturnType<typeof billingLoaders>;

/** Resolvers of the bare billing subgraph. */
export function billingResolvers() {
  return {
    Patient: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      balance: async ({ id }: { id: string }, _: unknown, ctx: { loaders: BillingLoaders }) => ({
        amount: decimal(await ctx.loaders.balance.load(id)),
        currency: CURRENCY,
      }),
    },
  };
}
