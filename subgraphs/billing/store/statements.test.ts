import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { money, parseMoney } from '../domain/money.js';
import { openBillingTestStore, testClerk, type BillingTestStore } from '../testing.js';
import { adjustBalance } from './adjustments.js';
import { recordCharge } from './charges.js';
import { balance, postEntries, reverseEntry } from './ledger.js';
import { takePayment } from './payments.js';
import { refundPayment } from './refunds.js';
import {
  issueStatement,
  statementLinesPage,
  statementsPage,
  type StatementLine,
  type StatementRow,
} from './statements.js';

const clerk = testClerk('billing-clerk-1');
const by = clerk.sub;

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_statements');
  await em()
    .execute(`INSERT INTO billing.fee_schedule (code, description, status_indicator, rate_minor,
    currency, source) VALUES ('G0463', 'Hospital outpt clinic visit', 'J2', 12000, 'USD', 'test')`);
  await em().execute(
    `INSERT INTO billing.payer (id, name, ownership) VALUES ('1', 'Test payer', 'private')`,
  );
  await em()
    .execute(`INSERT INTO billing.plan (id, payer_id, name, deductible_minor, coinsurance_bp,
    copay_minor, currency) VALUES ('10', '1', 'Test plan', 0, 2000, 0, 'USD')`);
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const usd = (decimal: string) => parseMoney(decimal, 'USD');
const bad = (field?: string) => ({
  extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) },
});
const utcDate = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (d: Date, n: number) => utcDate(new Date(d.getTime() + n * 86_400_000));

const issue = (
  patientId: string,
  idempotencyKey: string,
  extra: { dueOn?: string; currency?: string } = {},
) => issueStatement(em(), { patientId, currency: 'USD', idempotencyKey, by, ...extra });
const pay = async (patientId: string, amountMinor: bigint) =>
  (
    await takePayment(em(), {
      patientId,
      amountMinor,
      currency: 'USD',
      idempotencyKey: `pay-${randomUUID()}`,
      principal: clerk,
    })
  ).payment;
const charge = (patientId: string, appointmentId: string, code = 'G0463', units = 2) =>
  em().transactional((tem) =>
    recordCharge(tem, {
      appointmentId,
      patientId,
      code,
      kind: code === 'NO-SHOW' ? 'no-show-fee' : 'service',
      units,
      unitFee: money(6000n, 'USD'),
      createdBy: 'events',
    }),
  );

async function claimOf(patientId: string): Promise<string> {
  const coverageId = randomUUID();
  const claimId = randomUUID();
  await em().execute(
    `INSERT INTO billing.coverage (id, patient_id, payer_id, plan_id, member_id, relationship,
       period_start, priority, status, created_by)
     VALUES (?, ?, '1', '10', 'ciphertext', 'self', '2026-01-01', 1, 'active', ?)`,
    [coverageId, patientId, by],
  );
  await em().execute(
    `INSERT INTO billing.claim_record (id, patient_id, coverage_id, payer_id, appointment_id,
       total_minor, currency, created_by) VALUES (?, ?, ?, '1', ?, 12000, 'USD', ?)`,
    [claimId, patientId, coverageId, randomUUID(), by],
  );
  await em().execute(
    `INSERT INTO billing.claim_state (claim_id, version, status, changed_by) VALUES (?, 1, 'submitted', ?)`,
    [claimId, by],
  );
  return claimId;
}

async function entryIds(patientId: string): Promise<string[]> {
  const rows = await em().execute<{ id: string }[]>(
    'SELECT id FROM billing.ledger_entry WHERE account_patient_id = ? ORDER BY id',
    [patientId],
  );
  return rows.map((r) => r.id);
}

/** Every line of each statement (first page of 100; these statements have fewer). */
async function linesOf(statementIds: string[]): Promise<Map<string, StatementLine[]>> {
  const pages = await statementLinesPage(em(), statementIds, 100);
  return new Map(
    statementIds.map((id) => {
      const page = pages.get(id);
      expect(page?.hasNextPage).toBe(false);
      return [id, page?.edges.map((e) => e.node) ?? []];
    }),
  );
}

async function allStatements(patientId: string): Promise<StatementRow[]> {
  const page = (await statementsPage(em(), [patientId], 100)).get(patientId);
  return (page?.edges ?? []).map((x) => x.node).sort((a, b) => a.sequence - b.sequence);
}

describe('statements', () => {
  it('states every entry once, describes it from codes, and closes at the balance', async () => {
    const p = randomUUID();
    const appt = randomUUID();
    const missed = randomUUID();
    const claimId = await claimOf(p);
    const c = await charge(p, appt);
    await charge(p, missed, 'NO-SHOW', 1);
    const payment = await pay(p, 5000n);
    await refundPayment(em(), {
      paymentId: payment.id,
      amount: usd('10.00'),
      reason: 'Overpaid',
      idempotencyKey: `ref-${p}`,
      by,
    });
    await em().transactional((tem) =>
      postEntries(tem, [
        {
          id: randomUUID(),
          patientId: p,
          amount: money(-3000n, 'USD'),
          kind: 'insurance-payment',
          cause: { type: 'claim', id: claimId },
          createdBy: by,
        },
      ]),
    );
    await adjustBalance(em(), {
      patientId: p,
      kind: 'write-off',
      amount: usd('5.00'),
      reason: 'Contractual',
      claimId,
      idempotencyKey: `wo-${p}`,
      by,
    });
    await adjustBalance(em(), {
      patientId: p,
      kind: 'correction',
      amount: usd('1.00'),
      reason: 'Typo',
      idempotencyKey: `cor-${p}`,
      by,
    });

    const first = await issue(p, `st-${p}-1`);
    expect(first.replayed).toBe(false);
    expect(first.statement).toMatchObject({
      patientId: p,
      sequence: 1,
      opening: money(0n, 'USD'),
      closing: await balance(em(), p, 'USD'),
      lineCount: 7,
      dueOn: plusDays(first.statement.issuedAt, 30),
    });
    expect(first.statement.issuedAt).toBeInstanceOf(Date);
    const lines1 = (await linesOf([first.statement.id])).get(first.statement.id) ?? [];
    expect(lines1.map((l) => l.entryId).sort()).toEqual(await entryIds(p));
    const byDescription = new Map(lines1.map((l) => [l.description, l]));
    expect([...byDescription.keys()].sort()).toEqual(
      [
        'G0463 Hospital outpt clinic visit ×2',
        'No-show fee',
        'Payment (cash)',
        'Refund',
        'Insurance payment (claim)',
        'Write-off (claim)',
        'Correction',
      ].sort(),
    );
    expect(byDescription.get('G0463 Hospital outpt clinic visit ×2')).toMatchObject({
      kind: 'charge',
      amount: money(12000n, 'USD'),
      appointmentId: appt,
      claimId: null,
      paymentId: null,
    });
    expect(byDescription.get('Refund')).toMatchObject({
      paymentId: payment.id,
      amount: usd('10.00'),
    });
    expect(byDescription.get('Payment (cash)')).toMatchObject({ paymentId: payment.id });
    expect(byDescription.get('Insurance payment (claim)')).toMatchObject({ claimId });
    expect(byDescription.get('Write-off (claim)')).toMatchObject({ claimId, amount: usd('-5.00') });
    const sum1 = lines1.reduce((s, l) => s + l.amount.amountMinor, 0n);
    expect(first.statement.closing.amountMinor).toBe(sum1);

    // Replay and conflict on the same key.
    expect(await issue(p, `st-${p}-1`)).toEqual({ statement: first.statement, replayed: true });
    await expect(issue(p, `st-${p}-1`, { dueOn: plusDays(new Date(), 60) })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });

    // Nothing new: refused. Then a reversal and a payment: only those on statement 2.
    await expect(issue(p, `st-${p}-2`)).rejects.toMatchObject(bad());
    const reversal = await em().transactional((tem) =>
      reverseEntry(tem, c.ledgerEntryId, 'events', { type: 'appointment', id: appt }),
    );
    const later = await pay(p, 2500n);
    const dueOn = plusDays(new Date(), 45);
    const second = await issue(p, `st-${p}-2`, { dueOn });
    expect(second.statement).toMatchObject({
      sequence: 2,
      opening: first.statement.closing,
      closing: await balance(em(), p, 'USD'),
      lineCount: 2,
      dueOn,
    });
    const lines2 = (await linesOf([second.statement.id])).get(second.statement.id) ?? [];
    expect(lines2.map((l) => l.entryId).sort()).toEqual([reversal.id, later.ledgerEntryId].sort());
    expect(lines2.find((l) => l.kind === 'reversal')).toMatchObject({
      description: 'Reversal of G0463 Hospital outpt clinic visit ×2',
      amount: money(-12000n, 'USD'),
      appointmentId: appt,
    });
    expect(second.statement.closing.amountMinor).toBe(
      first.statement.closing.amountMinor - 12000n - 2500n,
    );
  });

  it('allows an empty first statement only, and checks currency and due date', async () => {
    const p = randomUUID();
    const first = await issue(p, `empty-${p}-1`);
    expect(first.statement).toMatchObject({
      sequence: 1,
      opening: money(0n, 'USD'),
      closing: money(0n, 'USD'),
      lineCount: 0,
    });
    await expect(issue(p, `empty-${p}-2`)).rejects.toMatchObject(bad());
    await expect(issue(p, `due-${p}-1`, { dueOn: '2026-02-30' })).rejects.toMatchObject(
      bad('dueOn'),
    );
    await expect(issue(p, `due-${p}-2`, { dueOn: '2020-01-01' })).rejects.toMatchObject(
      bad('dueOn'),
    );
    await expect(issue(p, `due-${p}-3`, { dueOn: 'tomorrow' })).rejects.toMatchObject(bad('dueOn'));
    await expect(issue(p, `due-${p}-4`, { currency: 'XXX' })).rejects.toMatchObject(
      bad('currency'),
    );
    await expect(issue('patient-1', `due-${p}-5`)).rejects.toMatchObject(bad('patientId'));
    // Accounts are per currency: a EUR statement starts its own sequence.
    const eur = await issue(p, `eur-${p}-1`, { currency: 'EUR', dueOn: utcDate(new Date()) });
    expect(eur.statement).toMatchObject({ sequence: 1, closing: money(0n, 'EUR') });
  });

  it('issues one statement when 5 race over the same entries', async () => {
    const p = randomUUID();
    for (let i = 0; i < 4; i++) await pay(p, BigInt(100 + i));
    // Open enough pooled connections first, so the five really run side by side.
    await Promise.all(Array.from({ length: 6 }, () => em().execute('SELECT pg_sleep(0.05)')));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => issue(p, `race-${p}-${i}`)),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.statement] : []));
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ sequence: 1, lineCount: 4, closing: money(-406n, 'USD') });
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject(bad());
  });

  it('puts no entry on two statements while payments and statements run concurrently', async () => {
    const p = randomUUID();
    await pay(p, 1000n);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, async (_, i) => {
        await pay(p, BigInt(101 + i));
        return issue(p, `mix-${p}-${i}`);
      }),
    );
    for (const r of results)
      if (r.status === 'rejected') {
        expect(r.reason).toMatchObject(bad());
        expect((r.reason as Error).message).toMatch(/Nothing to state/);
      }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    // Sweep up whatever committed after the last of them.
    await issue(p, `mix-${p}-final`).catch((err: unknown) => expect(err).toMatchObject(bad()));
    const statements = await allStatements(p);
    expect(statements.map((s) => s.sequence)).toEqual(statements.map((_, i) => i + 1));
    const lines = await linesOf(statements.map((s) => s.id));
    let closing = 0n;
    const stated: string[] = [];
    for (const s of statements) {
      const own = lines.get(s.id) ?? [];
      expect(s.opening.amountMinor).toBe(closing);
      closing = own.reduce((t, l) => t + l.amount.amountMinor, closing);
      expect(s.closing.amountMinor).toBe(closing);
      expect(own).toHaveLength(s.lineCount);
      stated.push(...own.map((l) => l.entryId));
    }
    expect(stated.sort()).toEqual(await entryIds(p));
    expect(closing).toBe((await balance(em(), p, 'USD')).amountMinor);
    expect(closing).toBe(-1000n - (101n + 102n + 103n + 104n + 105n));
  });

  it('pages the statements of many patients, newest first, in one SQL statement', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (let i = 0; i < 5; i++) {
      await pay(a, 100n + BigInt(i));
      await issue(a, `page-${a}-${i}`);
    }
    for (let i = 0; i < 2; i++) {
      await pay(b, 200n + BigInt(i));
      await issue(b, `page-${b}-${i}`);
    }
    const e = em();
    const execute = vi.spyOn(e, 'execute');
    const page1 = await statementsPage(e, [a, b, c], 2);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(page1.get(a)?.edges.map((x) => x.node.sequence)).toEqual([5, 4]);
    expect(page1.get(a)?.hasNextPage).toBe(true);
    expect(page1.get(b)?.edges.map((x) => x.node.sequence)).toEqual([2, 1]);
    expect(page1.get(b)?.hasNextPage).toBe(false);
    expect(page1.get(c)).toEqual({ edges: [], hasNextPage: false });
    expect(page1.get(a)?.edges[0]?.node).toMatchObject({
      lineCount: 1,
      closing: money(-510n, 'USD'),
    });

    const seen: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await statementsPage(em(), [a], 2, after)).get(a);
      seen.push(...(page?.edges.map((x) => x.node.sequence) ?? []));
      const last = page?.edges.at(-1);
      if (!page?.hasNextPage || !last) break;
      after = last.cursor;
    }
    expect(seen).toEqual([5, 4, 3, 2, 1]);

    await expect(statementsPage(em(), [a], 0)).rejects.toMatchObject(bad('first'));
    await expect(statementsPage(em(), [a], 2, 'garbage')).rejects.toMatchObject(bad('after'));
    const foreign = Buffer.from(JSON.stringify([3, randomUUID()])).toString('base64url');
    await expect(statementsPage(em(), [a], 2, foreign)).rejects.toMatchObject(bad('after'));
  });

  it('pages the lines of many statements in posting order, in one SQL statement', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    // Five entries of one transaction share their time: the id orders them, across pages too.
    const corrections = Array.from({ length: 5 }, (_, i) => ({
      id: randomUUID(),
      patientId: a,
      amount: money(BigInt(i + 1), 'USD'),
      kind: 'adjustment-correction' as const,
      cause: { type: 'user' as const, id: by },
      createdBy: by,
    }));
    await em().transactional((tem) => postEntries(tem, corrections));
    const later = await pay(a, 700n);
    const sa = (await issue(a, `lines-${a}`)).statement;
    await pay(b, 300n);
    const sb = (await issue(b, `lines-${b}`)).statement;
    const sc = (await issue(c, `lines-${c}`)).statement;
    const order = [...corrections.map((x) => x.id).sort(), later.ledgerEntryId];

    const e = em();
    const execute = vi.spyOn(e, 'execute');
    const page1 = await statementLinesPage(e, [sa.id, sb.id, sc.id], 2);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(page1.get(sa.id)?.edges.map((x) => x.node.entryId)).toEqual(order.slice(0, 2));
    expect(page1.get(sa.id)?.hasNextPage).toBe(true);
    expect(page1.get(sb.id)?.edges.map((x) => x.node.description)).toEqual(['Payment (cash)']);
    expect(page1.get(sb.id)?.hasNextPage).toBe(false);
    expect(page1.get(sc.id)).toEqual({ edges: [], hasNextPage: false });

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await statementLinesPage(em(), [sa.id], 2, after)).get(sa.id)!;
      seen.push(...page.edges.map((x) => x.node.entryId));
      if (!page.hasNextPage) break;
      after = page.edges.at(-1)!.cursor;
    }
    expect(seen).toEqual(order);
    expect(sa.lineCount).toBe(6);

    await expect(statementLinesPage(em(), [sa.id], 0)).rejects.toMatchObject(bad('first'));
    await expect(statementLinesPage(em(), [sa.id], 101)).rejects.toMatchObject(bad('first'));
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const statementCursor = (await statementsPage(em(), [a], 1)).get(a)!.edges[0]!.cursor;
    for (const bogus of [
      'garbage',
      statementCursor,
      forged(['payment', '2026-03-01T10:00:00.000000Z', randomUUID()]),
      forged(['statement-line', 'yesterday', randomUUID()]),
      forged(['statement-line', '0000-01-01T00:00:00.000000Z', randomUUID()]),
    ])
      await expect(statementLinesPage(em(), [sa.id], 2, bogus)).rejects.toMatchObject(bad('after'));
  });
});
