import { Migration } from '@mikro-orm/migrations';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { createOrm, type MikroORM } from '../../../platform/db/orm.js';
import type { EntityManager } from '../../../platform/db/orm.js';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import { Migration20261220110000Privacy } from '../migrations/Migration20261220110000Privacy.js';
import {
  acceptAgreement,
  budgetOf,
  currentAgreement,
  ensureBudget,
  hasAcceptedCurrent,
  ledgerOf,
  publishAgreement,
  questionDigest,
  spendAndAnswer,
  type SpendResult,
} from './privacy-budget.js';

const SCHEMA = 'opendata';
const CONCURRENCY = 50;

/**
 * The key table every subgraph store opens its keyring from; the subgraph's
 * own first migration (the lead's) creates it, this file runs without it.
 */
class KeyTableForTest extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql(SCHEMA));
  }
}

let store: SubgraphTestStore;
/** A second ORM on the same database with a pool wide enough for every racer to hold a connection. */
let wide: MikroORM;
beforeAll(async () => {
  store = await openSubgraphTestStore('opendata_privacy_budget', {
    schema: SCHEMA,
    entities: [],
    migrations: [
      { name: 'KeyTableForTest', class: KeyTableForTest },
      { name: 'Migration20261220110000Privacy', class: Migration20261220110000Privacy },
    ],
  });
  wide = await createOrm({
    url: store.roleUrl,
    schema: SCHEMA,
    entities: [],
    migrations: [],
    poolMax: CONCURRENCY + 5,
  });
});
afterAll(async () => {
  await wide?.close();
  await store?.close();
});

const em = () => store.orm.em.fork();
let n = 0;
const researcher = () => `researcher-${++n}@uni.example`;

type Answer = { count: number; call: number };
/** Transactions open at once (each on its own connection), and the most seen. */
let open = 0;
let mostOpen = 0;

/** A barrier: `arrive` resolves once `n` callers have arrived. */
function barrier(n: number): { arrive: () => Promise<void> } {
  let arrived = 0;
  let release = (): void => undefined;
  const all = new Promise<void>((r) => (release = r));
  return {
    arrive: () => {
      if (++arrived === n) release();
      return all;
    },
  };
}

/**
 * One spendAndAnswer in a transaction of its own on a connection of its own.
 * With `together`, it waits inside its open transaction until every racer
 * has opened one, so the race on the locks is real, not one call after another.
 */
const spend = (
  who: string,
  requestKey: string,
  epsilonMicro: number,
  call: number,
  question: { metric: string } = { metric: 'admissions' },
  together?: { arrive: () => Promise<void> },
): Promise<SpendResult<Answer>> =>
  wide.em.fork().transactional(async (tem: EntityManager) => {
    await tem.execute('SELECT 1');
    mostOpen = Math.max(mostOpen, ++open);
    try {
      await together?.arrive();
      return await spendAndAnswer(tem, {
        researcher: who,
        requestKey,
        question,
        epsilonMicro,
        answer: async () => {
          await new Promise((r) => setTimeout(r, 5));
          return { count: 1000 + call, call };
        },
      });
    } finally {
      open--;
    }
  });

/** Runs `sql` as the subgraph's own role, returning the error it raised (if any). */
async function asRole(sql: string, params: unknown[] = []): Promise<{ code?: string } | undefined> {
  const c = new pg.Client(store.roleUrl);
  await c.connect();
  try {
    await c.query(sql, params);
    return undefined;
  } catch (err) {
    return err as { code?: string };
  } finally {
    await c.end();
  }
}

describe('budgets', () => {
  it('ensureBudget creates once and keeps the first total', async () => {
    const who = researcher();
    expect(await budgetOf(em(), who)).toBeNull();
    await ensureBudget(em(), who, 2_000_000n);
    await ensureBudget(em(), who, 5_000_000);
    expect(await budgetOf(em(), who)).toEqual({
      totalMicro: 2_000_000,
      spentMicro: 0,
      remainingMicro: 2_000_000,
    });
  });

  it('refuses malformed researchers and totals before touching the database', async () => {
    await expect(ensureBudget(em(), 'bad researcher!', 1)).rejects.toThrow(RangeError);
    await expect(ensureBudget(em(), researcher(), 0)).rejects.toThrow(/totalMicro/);
    await expect(ensureBudget(em(), researcher(), 1.5)).rejects.toThrow(RangeError);
  });
});

describe('spendAndAnswer', () => {
  it('refuses to run outside a transaction', async () => {
    await expect(
      spendAndAnswer(em(), {
        researcher: researcher(),
        requestKey: 'k',
        question: {},
        epsilonMicro: 1,
        answer: () => 1,
      }),
    ).rejects.toThrow(/transaction/);
  });

  it('spends once, replays free with the same key, conflicts with another question or ε', async () => {
    const who = researcher();
    await ensureBudget(em(), who, 1_000_000);
    const first = await spend(who, 'q1', 300_000, 1);
    expect(first).toEqual({
      kind: 'answered',
      answer: { count: 1001, call: 1 },
      epsilonMicro: 300_000,
      replay: false,
    });
    const again = await spend(who, 'q1', 300_000, 2);
    expect(again).toEqual({ ...first, replay: true });
    expect(await spend(who, 'q1', 300_000, 3, { metric: 'discharges' })).toEqual({
      kind: 'conflict',
    });
    expect(await spend(who, 'q1', 400_000, 4)).toEqual({ kind: 'conflict' });
    expect((await budgetOf(em(), who))?.spentMicro).toBe(300_000);
    const ledger = await ledgerOf(em(), who, 10);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      requestKey: 'q1',
      question: { metric: 'admissions' },
      questionDigest: questionDigest({ metric: 'admissions' }),
      epsilonMicro: 300_000,
      answer: { count: 1001, call: 1 },
    });
    expect(ledger[0]?.answeredAt).toBeInstanceOf(Date);
  });

  it('spends up to exactly the total, then reports exhausted with the remainder and writes nothing', async () => {
    const who = researcher();
    await ensureBudget(em(), who, 1_000_000);
    expect((await spend(who, 'a', 600_000, 1)).kind).toBe('answered');
    expect(await spend(who, 'b', 500_000, 2)).toEqual({
      kind: 'exhausted',
      remainingMicro: 400_000,
    });
    expect((await spend(who, 'c', 400_000, 3)).kind).toBe('answered');
    expect(await spend(who, 'd', 1, 4)).toEqual({ kind: 'exhausted', remainingMicro: 0 });
    expect(await budgetOf(em(), who)).toEqual({
      totalMicro: 1_000_000,
      spentMicro: 1_000_000,
      remainingMicro: 0,
    });
    expect((await ledgerOf(em(), who, 10)).map((e) => e.requestKey)).toEqual(['c', 'a']);
  });

  it('reports a researcher without a budget as exhausted with nothing left', async () => {
    expect(await spend(researcher(), 'k', 1, 1)).toEqual({ kind: 'exhausted', remainingMicro: 0 });
  });

  it('gives the spend back when computing the answer fails (the transaction rolls back)', async () => {
    const who = researcher();
    await ensureBudget(em(), who, 1_000_000);
    await expect(
      wide.em.fork().transactional((tem: EntityManager) =>
        spendAndAnswer(tem, {
          researcher: who,
          requestKey: 'boom',
          question: {},
          epsilonMicro: 500_000,
          answer: () => {
            throw new Error('query failed');
          },
        }),
      ),
    ).rejects.toThrow('query failed');
    expect((await budgetOf(em(), who))?.spentMicro).toBe(0);
    expect((await spend(who, 'boom', 500_000, 1, { metric: 'x' })).kind).toBe('answered');
  });

  it(`answers exactly 20 of ${CONCURRENCY} concurrent distinct requests on a budget for 20`, async () => {
    const who = researcher();
    await ensureBudget(em(), who, 20 * 50_000);
    mostOpen = 0;
    const together = barrier(CONCURRENCY);
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        spend(who, `key-${i}`, 50_000, i, undefined, together),
      ),
    );
    expect(mostOpen).toBe(CONCURRENCY);
    const answered = results.filter((r) => r.kind === 'answered');
    expect(answered).toHaveLength(20);
    expect(results.filter((r) => r.kind === 'exhausted')).toHaveLength(30);
    for (const r of results) if (r.kind === 'exhausted') expect(r.remainingMicro).toBe(0);
    expect(await budgetOf(em(), who)).toEqual({
      totalMicro: 1_000_000,
      spentMicro: 1_000_000,
      remainingMicro: 0,
    });
    const ledger = await ledgerOf(em(), who, 100);
    expect(ledger).toHaveLength(20);
    expect(new Set(ledger.map((e) => e.requestKey)).size).toBe(20);
    expect(ledger.reduce((s, e) => s + e.epsilonMicro, 0)).toBe(1_000_000);
  });

  it(`spends once for ${CONCURRENCY} concurrent calls with the same key: every one gets the same answer`, async () => {
    const who = researcher();
    await ensureBudget(em(), who, 1_000_000);
    mostOpen = 0;
    const together = barrier(CONCURRENCY);
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        spend(who, 'same', 100_000, i, undefined, together),
      ),
    );
    expect(mostOpen).toBe(CONCURRENCY);
    expect(results.every((r) => r.kind === 'answered')).toBe(true);
    const answers = results.map((r) => (r.kind === 'answered' ? r.answer : null));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(results.filter((r) => r.kind === 'answered' && !r.replay)).toHaveLength(1);
    expect((await budgetOf(em(), who))?.spentMicro).toBe(100_000);
    expect(await ledgerOf(em(), who, 100)).toHaveLength(1);
  });

  it('scopes request keys to the researcher: another researcher’s same key is a new request', async () => {
    const [a, b] = [researcher(), researcher()];
    await ensureBudget(em(), a, 1_000_000);
    await ensureBudget(em(), b, 1_000_000);
    expect(await spend(a, 'shared', 100_000, 1)).toMatchObject({ kind: 'answered', replay: false });
    expect(await spend(b, 'shared', 100_000, 2)).toMatchObject({
      kind: 'answered',
      replay: false,
      answer: { call: 2 },
    });
    expect((await budgetOf(em(), b))?.spentMicro).toBe(100_000);
  });

  it('matches a model of the budget for any sequence of spends and retries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 800_000 })), {
          minLength: 1,
          maxLength: 12,
        }),
        async (total, calls) => {
          const who = researcher();
          await ensureBudget(em(), who, total);
          let spent = 0;
          const asked = new Map<string, number>();
          for (const [i, [key, e]] of calls.entries()) {
            const r = await spend(who, `k${key}`, e, i);
            const first = asked.get(`k${key}`);
            if (first !== undefined) {
              expect(r.kind).toBe(first === e ? 'answered' : 'conflict');
              if (r.kind === 'answered') expect(r.replay).toBe(true);
            } else if (spent + e <= total) {
              expect(r).toMatchObject({ kind: 'answered', replay: false, epsilonMicro: e });
              spent += e;
              asked.set(`k${key}`, e);
            } else {
              expect(r).toEqual({ kind: 'exhausted', remainingMicro: total - spent });
            }
          }
          const b = await budgetOf(em(), who);
          expect(b).toEqual({
            totalMicro: total,
            spentMicro: spent,
            remainingMicro: total - spent,
          });
          expect(b!.remainingMicro).toBeGreaterThanOrEqual(0);
          expect((await ledgerOf(em(), who, 100)).length).toBe(asked.size);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps questions and answers with quotes and question marks intact', async () => {
    const who = researcher();
    await ensureBudget(em(), who, 1_000_000);
    const question = { metric: `it's "odd"? ?::jsonb`, nested: [1, { b: null }] };
    const r = await wide.em.fork().transactional((tem: EntityManager) =>
      spendAndAnswer(tem, {
        researcher: who,
        requestKey: 'k?',
        question,
        epsilonMicro: 1,
        answer: () => ({ text: `a 'b' ? "c"`, n: [1.5, -2] }),
      }),
    );
    expect(r).toEqual({
      kind: 'answered',
      answer: { text: `a 'b' ? "c"`, n: [1.5, -2] },
      epsilonMicro: 1,
      replay: false,
    });
    expect((await ledgerOf(em(), who, 1))[0]?.question).toEqual(question);
  });
});

describe('the database keeps the ledger honest', () => {
  it('refuses to update or delete ledger rows, and never lets spent go down', async () => {
    const who = researcher();
    await ensureBudget(em(), who, 1_000_000);
    await spend(who, 'k', 100_000, 1);
    expect(
      (await asRole(`UPDATE privacy_ledger SET answer = '{}' WHERE researcher = $1`, [who]))?.code,
    ).toBe('42501');
    expect((await asRole('DELETE FROM privacy_ledger WHERE researcher = $1', [who]))?.code).toBe(
      '42501',
    );
    expect((await asRole('TRUNCATE privacy_ledger CASCADE'))?.code).toBe('42501');
    expect(
      (await asRole('UPDATE privacy_budget SET spent_micro = 0 WHERE researcher = $1', [who]))
        ?.code,
    ).toBe('42501');
    expect((await asRole('DELETE FROM privacy_budget WHERE researcher = $1', [who]))?.code).toBe(
      '42501',
    );
    // Spending more past the total breaks the check; a larger grant is allowed.
    expect(
      (await asRole('UPDATE privacy_budget SET spent_micro = 2000000 WHERE researcher = $1', [who]))
        ?.code,
    ).toBe('23514');
    expect(
      await asRole('UPDATE privacy_budget SET total_micro = 3000000 WHERE researcher = $1', [who]),
    ).toBeUndefined();
    expect(await budgetOf(em(), who)).toEqual({
      totalMicro: 3_000_000,
      spentMicro: 100_000,
      remainingMicro: 2_900_000,
    });
    expect(await ledgerOf(em(), who, 10)).toHaveLength(1);
  });
});

describe('data use agreements', () => {
  it('publish (idempotent), current, accept (current only, idempotent), hasAcceptedCurrent', async () => {
    const who = researcher();
    expect(await currentAgreement(em())).toBeNull();
    expect(await hasAcceptedCurrent(em(), who)).toBe(false);
    await expect(acceptAgreement(em(), who, 1)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });

    const v1 = { version: 1, title: 'Research use', body: `Don't re-identify anyone? Agreed.` };
    await publishAgreement(em(), v1);
    await publishAgreement(em(), v1);
    await expect(publishAgreement(em(), { ...v1, body: 'Other text' })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await expect(publishAgreement(em(), { ...v1, title: 'Other title' })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    const current = await currentAgreement(em());
    expect(current).toMatchObject({ ...v1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(current?.publishedAt).toBeInstanceOf(Date);

    const { acceptedAt } = await acceptAgreement(em(), who, 1);
    expect(acceptedAt).toBeInstanceOf(Date);
    expect(await acceptAgreement(em(), who, 1)).toEqual({ acceptedAt });
    expect(await hasAcceptedCurrent(em(), who)).toBe(true);
    expect(await hasAcceptedCurrent(em(), researcher())).toBe(false);

    await publishAgreement(em(), { version: 2, title: 'Research use', body: 'Stricter terms.' });
    expect((await currentAgreement(em()))?.version).toBe(2);
    expect(await hasAcceptedCurrent(em(), who)).toBe(false);
    await expect(acceptAgreement(em(), who, 1)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await expect(acceptAgreement(em(), who, 3)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await acceptAgreement(em(), who, 2);
    expect(await hasAcceptedCurrent(em(), who)).toBe(true);

    expect((await asRole('DELETE FROM dua_acceptance WHERE researcher = $1', [who]))?.code).toBe(
      '42501',
    );
    expect((await asRole(`UPDATE data_use_agreement SET body = 'x' WHERE version = 1`))?.code).toBe(
      '42501',
    );
  });
});
