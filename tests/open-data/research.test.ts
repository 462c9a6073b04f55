import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Researchers through the gateway: the data use agreement first (versioned,
 * recorded, asked again when a new version is published), differentially
 * private answers paid from a privacy budget exactly once per request key
 * (replays free, another question under a used key CONFLICT, 50 concurrent
 * questions never overspending), BUDGET_EXHAUSTED when it runs out, and every
 * question audited as research access with no patient id.
 */
let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack('opendata_research');
  admin = await t.token('admin');
}, 240_000);
afterAll(async () => t?.stop());

const researcher = (sub: string) => t.token('researcher', { sub });
const codeOf = (r: Pick<GqlResponse, 'errors'>) => r.errors?.[0]?.extensions?.code;

const AGREEMENT = 'query { dataUseAgreement { version title body sha256 acceptedAt } }';
const ACCEPT = 'mutation ($v: Int!) { acceptDataUseAgreement(version: $v) { version acceptedAt } }';
const ASK = `mutation ($q: CountQuestionInput!) { askCount(question: $q) {
  requestKey groupBy epsilon sensitivity noiseScale margin95 method replay remainingBudget
  cells { values count denominator rate } } }`;
const BUDGET =
  'query { privacyBudget { total spent remaining ledger { requestKey epsilon questionDigest answeredAt } } }';

interface Answer {
  askCount: {
    requestKey: string;
    groupBy: string[];
    epsilon: number;
    sensitivity: number;
    noiseScale: number;
    margin95: number;
    replay: boolean;
    remainingBudget: number;
    cells: { values: string[]; count: number; denominator: number | null; rate: number | null }[];
  };
}
const ask = (token: string, q: object) =>
  t.gql<Answer>(token, ASK, { q: { yearFrom: 2015, yearTo: 2026, epsilon: 0.5, ...q } });

async function accepted(sub: string): Promise<string> {
  const token = await researcher(sub);
  const dua = await t.gql<{ dataUseAgreement: { version: number } }>(token, AGREEMENT);
  const res = await t.gql(token, ACCEPT, { v: dua.data!.dataUseAgreement.version });
  expect(res.errors).toBeUndefined();
  return token;
}

async function audited(sub: string) {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry WHERE payload::jsonb -> 'actor' ->> 'sub' = $1 ORDER BY seq`,
    [sub],
  );
  return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
}

describe('the data use agreement', () => {
  it('is read, must be accepted before any question, and is recorded', async () => {
    const token = await researcher('r-agreement');
    const dua = await t.gql<{
      dataUseAgreement: {
        version: number;
        sha256: string;
        acceptedAt: string | null;
        body: string;
      };
    }>(token, AGREEMENT);
    expect(dua.data!.dataUseAgreement).toMatchObject({ version: 1, acceptedAt: null });
    expect(dua.data!.dataUseAgreement.sha256).toMatch(/^[0-9a-f]{64}$/);

    const before = await ask(token, { requestKey: 'before' });
    expect(codeOf(before)).toBe('AGREEMENT_REQUIRED');
    expect(before.errors![0]!.extensions).toMatchObject({ version: 1 });

    expect(codeOf(await t.gql(token, ACCEPT, { v: 2 }))).toBe('CONFLICT');
    const ok = await t.gql<{ acceptDataUseAgreement: { version: number; acceptedAt: string } }>(
      token,
      ACCEPT,
      { v: 1 },
    );
    expect(ok.data!.acceptDataUseAgreement.version).toBe(1);
    const again = await t.gql<{ dataUseAgreement: { acceptedAt: string } }>(token, AGREEMENT);
    expect(again.data!.dataUseAgreement.acceptedAt).toBe(
      ok.data!.acceptDataUseAgreement.acceptedAt,
    );
    expect((await ask(token, { requestKey: 'after' })).errors).toBeUndefined();

    const [row] = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM opendata.dua_acceptance WHERE researcher = 'r-agreement' AND version = 1",
    );
    expect(row!.n).toBe(1);
    const entries = await audited('r-agreement');
    expect(entries.map((e) => [e.action, e.outcome, e.reason])).toEqual(
      expect.arrayContaining([
        ['search', 'deny', 'denied:agreement'],
        ['create', 'permit', 'agreement:v1'],
      ]),
    );
  });

  it('a new version must be accepted again before the next question', async () => {
    const token = await accepted('r-new-version');
    expect((await ask(token, { requestKey: 'v1' })).errors).toBeUndefined();
    const published = await t.gql<{ publishDataUseAgreement: { version: number } }>(
      admin,
      'mutation { publishDataUseAgreement(title: "Version 2", body: "New terms.") { version } }',
    );
    const v = published.data!.publishDataUseAgreement.version;
    expect(v).toBeGreaterThanOrEqual(2);
    const refused = await ask(token, { requestKey: 'v2' });
    expect(codeOf(refused)).toBe('AGREEMENT_REQUIRED');
    expect(refused.errors![0]!.extensions).toMatchObject({ version: v });
    await t.gql(token, ACCEPT, { v });
    expect((await ask(token, { requestKey: 'v2' })).errors).toBeUndefined();
  });
});

describe('differentially private answers', () => {
  it('answer every cell of the fixed domain with the stated noise, once per request key', async () => {
    const token = await accepted('r-answers');
    const first = await ask(token, {
      requestKey: 'by-year-sex',
      groupBy: ['SEX', 'YEAR'],
      yearFrom: 2020,
      yearTo: 2025,
    });
    expect(first.errors).toBeUndefined();
    const a = first.data!.askCount;
    // Dimensions in a fixed order; 6 years × 4 sexes; a patient reaches one cell a year.
    expect(a.groupBy).toEqual(['YEAR', 'SEX']);
    expect(a.cells).toHaveLength(24);
    expect(a.cells[0]!.values).toEqual(['2020', 'female']);
    expect(a).toMatchObject({
      epsilon: 0.5,
      sensitivity: 6,
      noiseScale: 12,
      replay: false,
      remainingBudget: 9.5,
    });
    expect(a.margin95).toBeGreaterThan(0);
    for (const c of a.cells) expect(c.count).toBeGreaterThanOrEqual(0);

    // The same key: the same answer, nothing spent.
    const replay = await ask(token, {
      requestKey: 'by-year-sex',
      groupBy: ['YEAR', 'SEX'],
      yearFrom: 2020,
      yearTo: 2025,
    });
    expect(replay.data!.askCount).toMatchObject({
      replay: true,
      remainingBudget: 9.5,
      cells: a.cells,
    });
    // Another question under it: CONFLICT, nothing spent.
    const other = await ask(token, {
      requestKey: 'by-year-sex',
      groupBy: ['YEAR'],
      yearFrom: 2020,
      yearTo: 2025,
    });
    expect(codeOf(other)).toBe('CONFLICT');

    const budget = await t.gql<{
      privacyBudget: {
        total: number;
        spent: number;
        remaining: number;
        ledger: { requestKey: string; epsilon: number }[];
      };
    }>(token, BUDGET);
    expect(budget.data!.privacyBudget).toMatchObject({ total: 10, spent: 0.5, remaining: 9.5 });
    expect(budget.data!.privacyBudget.ledger).toEqual([
      expect.objectContaining({ requestKey: 'by-year-sex', epsilon: 0.5 }),
    ]);

    // Rates: two cohorts, each with half the epsilon.
    const rate = await ask(token, {
      requestKey: 'rate',
      filter: { resourceTypes: ['Appointment'] },
      rateOf: {},
      epsilon: 1,
    });
    expect(rate.errors).toBeUndefined();
    expect(rate.data!.askCount).toMatchObject({ sensitivity: 1, noiseScale: 2 });
    const cell = rate.data!.askCount.cells[0]!;
    expect(cell.denominator).not.toBeNull();
    if (cell.denominator! > 0)
      expect(cell.rate).toBeCloseTo(Math.min(1, cell.count / cell.denominator!), 10);
  });

  it('refuse bad questions with a typed error, spending nothing', async () => {
    const token = await accepted('r-bad');
    for (const [q, field] of [
      [{ requestKey: 'e0', epsilon: 0 }, 'epsilon'],
      [{ requestKey: 'e2', epsilon: 2 }, 'epsilon'],
      [{ requestKey: 'yr', yearFrom: 2020, yearTo: 2019 }, 'yearTo'],
      [{ requestKey: 'cells', groupBy: ['ZIP3', 'AGE_BAND'] }, 'groupBy'],
      [{ requestKey: 'sex', filter: { sexes: ['robot'] } }, 'filter.sexes'],
      [{ requestKey: '' }, 'requestKey'],
      [{ requestKey: 'x'.repeat(201) }, 'requestKey'],
    ] as const) {
      const res = await ask(token, q);
      expect(codeOf(res), JSON.stringify(q)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions).toMatchObject({ field });
    }
    const budget = await t.gql<{ privacyBudget: { spent: number } }>(token, BUDGET);
    expect(budget.data!.privacyBudget.spent).toBe(0);
  });

  it('50 concurrent questions never overspend: exactly the budget answered, the rest BUDGET_EXHAUSTED', async () => {
    const token = await accepted('r-concurrent');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ask(token, { requestKey: `c-${i}`, epsilon: 0.5 })),
    );
    const answered = results.filter((r) => r.data?.askCount);
    const refused = results.filter((r) => codeOf(r) === 'BUDGET_EXHAUSTED');
    expect(answered).toHaveLength(20);
    expect(refused).toHaveLength(30);
    expect(refused[0]!.errors![0]!.extensions).toMatchObject({ remaining: 0, asked: 0.5 });
    const budget = await t.gql<{
      privacyBudget: { spent: number; remaining: number; ledger: unknown[] };
    }>(token, BUDGET);
    expect(budget.data!.privacyBudget).toMatchObject({ spent: 10, remaining: 0 });
    expect(budget.data!.privacyBudget.ledger).toHaveLength(20);
    const [row] = await t.sql<{ spent: string; n: number }>(
      `SELECT b.spent_micro::text AS spent, (SELECT count(*)::int FROM opendata.privacy_ledger l WHERE l.researcher = b.researcher) AS n
         FROM opendata.privacy_budget b WHERE researcher = 'r-concurrent'`,
    );
    expect(row).toEqual({ spent: '10000000', n: 20 });
    // A replay of an answered key still answers when the budget is gone.
    const key = answered[0]!.data!.askCount.requestKey;
    const replay = await ask(token, { requestKey: key, epsilon: 0.5 });
    expect(replay.data!.askCount.replay).toBe(true);
  });

  it('every question is audited as research access, with no patient id', async () => {
    const token = await accepted('r-audit');
    await ask(token, { requestKey: 'a1' });
    await ask(token, { requestKey: 'a1' });
    await t.gql(token, BUDGET);
    const entries = await audited('r-audit');
    const research = entries.filter((e) => e.resourceType === 'ResearchData');
    expect(research.length).toBeGreaterThanOrEqual(4);
    for (const e of research) {
      expect(e.patientId).toBeUndefined();
      expect(e.purpose).toBe('HRESCH');
    }
    expect(research.map((e) => String(e.reason).split(':')[0])).toEqual(
      expect.arrayContaining(['agreement', 'dp-count', 'dp-count-replay', 'privacy-budget']),
    );
    const [n] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit.entry
        WHERE payload::jsonb ->> 'resourceType' = 'ResearchData' AND payload::jsonb ? 'patientId'`,
    );
    expect(n!.n).toBe(0);
  });
});
