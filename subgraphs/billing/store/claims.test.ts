import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjudicationEntries } from '../domain/adjudication.js';
import { money, type Money } from '../domain/money.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { recordCharge } from './charges.js';
import {
  adjudicateClaim,
  claimCharges,
  claimsByIds,
  claimsPage,
  closeClaim,
  createClaim,
  submitClaim,
  type ClaimPage,
  type ClaimRow,
} from './claims.js';
import { cancelCoverage, recordCoverage, type NewCoverage } from './coverage.js';
import { balance, postEntries, reverseEntry } from './ledger.js';

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_claims');
  await store.orm.em.fork().execute(
    `INSERT INTO billing.payer (id, name, ownership) VALUES
       ('60000', 'UnitedHealthcare', 'commercial'), ('70000', 'Aetna', 'commercial');
     INSERT INTO billing.plan (id, payer_id, name, deductible_minor, coinsurance_bp, copay_minor, currency)
     VALUES ('60001', '60000', 'Choice Plus', 150000, 2000, 2500, 'USD'),
            ('70001', '70000', 'Open Access', 100000, 3000, 2000, 'USD')`,
  );
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const by = 'billing-clerk-1';
const usd = (n: bigint): Money => money(n, 'USD');
const bad = (field: string) => ({ extensions: { code: 'BAD_USER_INPUT', field } });

async function coverage(patientId: string, over: Partial<NewCoverage> = {}) {
  return recordCoverage(em(), store.cipher, {
    patientId,
    planId: '60001',
    memberId: 'UHC-884412907',
    relationship: 'self',
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
    priority: 1,
    by,
    ...over,
  });
}

interface VisitCharge {
  code: string;
  units: number;
  fee: bigint;
  kind?: 'service' | 'no-show-fee';
  currency?: string;
}

/** An appointment of `patientId` (starting `startsAt`, or unknown to billing when null) with charges. */
async function visit(
  patientId: string,
  charges: VisitCharge[] = [
    { code: 'G0463', units: 1, fee: 15000n },
    { code: 'J1885', units: 2, fee: 2500n },
  ],
  startsAt: string | null = '2026-03-10T15:00:00Z',
) {
  const appointmentId = randomUUID();
  if (startsAt)
    await em().execute(
      `INSERT INTO billing.appointment_state (appointment_id, patient_id, practitioner_id, status, version, starts_at)
       VALUES (?, ?, ?, 'fulfilled', 3, ?)`,
      [appointmentId, patientId, randomUUID(), startsAt],
    );
  const recorded = [];
  for (const c of charges)
    recorded.push(
      await em().transactional((tem) =>
        recordCharge(tem, {
          appointmentId,
          patientId,
          code: c.code,
          kind: c.kind ?? 'service',
          units: c.units,
          unitFee: money(c.fee, c.currency ?? 'USD'),
          createdBy: 'scheduling-events',
        }),
      ),
    );
  return { appointmentId, charges: recorded };
}

/** A patient with a primary coverage and a submitted claim of 200.00 USD. */
async function submitted() {
  const p = randomUUID();
  const cov = await coverage(p);
  const { appointmentId } = await visit(p);
  const draft = await createClaim(em(), { appointmentId, coverageId: cov.id, by });
  const claim = await submitClaim(em(), draft.id, 1, by);
  return { p, cov, appointmentId, claim };
}

const owed = async (p: string) => (await balance(em(), p, 'USD')).amountMinor;
const claimEntries = (claimId: string) =>
  em().execute<{ kind: string; amount: string }[]>(
    `SELECT kind, amount_minor::text AS amount FROM billing.ledger_entry
     WHERE cause_type = 'claim' AND cause_id = ? ORDER BY kind`,
    [claimId],
  );
const history = (claimId: string) =>
  em().execute<
    { version: number; status: string; snapshot: Record<string, unknown>; changed_by: string }[]
  >(
    'SELECT version, status, snapshot, changed_by FROM billing.claim_version WHERE claim_id = ? ORDER BY version',
    [claimId],
  );

describe('creating claims', () => {
  it('drafts a claim from the unclaimed, unreversed service charges only', async () => {
    const p = randomUUID();
    const cov = await coverage(p);
    const { appointmentId, charges } = await visit(p, [
      { code: 'G0463', units: 1, fee: 15000n },
      { code: 'J1885', units: 2, fee: 2500n },
      { code: 'A0428', units: 1, fee: 90000n },
      { code: 'NO-SHOW', units: 1, fee: 5000n, kind: 'no-show-fee' },
    ]);
    await reverseEntry(em(), charges[2]!.ledgerEntryId, 'scheduling-events', {
      type: 'appointment',
      id: appointmentId,
    });
    const claim = await createClaim(em(), { appointmentId, coverageId: cov.id, by });
    expect(claim).toMatchObject({
      patientId: p,
      coverageId: cov.id,
      payerId: '60000',
      appointmentId,
      status: 'draft',
      outcome: null,
      total: usd(20000n),
      allowed: null,
      paid: null,
      denialReason: null,
      submittedAt: null,
      version: 1,
    });
    const onClaim = (await claimCharges(em(), [claim.id])).get(claim.id) ?? [];
    expect(onClaim.map((c) => c.code).sort()).toEqual(['G0463', 'J1885']);
    const [v1] = await history(claim.id);
    expect(v1).toMatchObject({
      version: 1,
      status: 'draft',
      changed_by: by,
      snapshot: { status: 'draft', totalMinor: '20000', currency: 'USD', allowedMinor: null },
    });
    expect((v1?.snapshot.chargeIds as string[]).sort()).toEqual(onClaim.map((c) => c.id).sort());
    // The claim changes no balance by itself: the patient owes the two service charges and the fee.
    expect(await owed(p)).toBe(20000n + 5000n);

    // Same appointment and coverage again: CONFLICT; another coverage finds nothing left to bill.
    await expect(
      createClaim(em(), { appointmentId, coverageId: cov.id, by }),
    ).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    const secondary = await coverage(p, { priority: 2, planId: '70001' });
    await expect(
      createClaim(em(), { appointmentId, coverageId: secondary.id, by }),
    ).rejects.toMatchObject(bad('appointmentId'));
  });

  it('puts each charge on one claim when drafts race', async () => {
    const p = randomUUID();
    const [primary, secondary] = [
      await coverage(p),
      await coverage(p, { priority: 2, planId: '70001' }),
    ];
    const { appointmentId } = await visit(p);
    const results = await Promise.allSettled(
      [primary, secondary].map((c) => createClaim(em(), { appointmentId, coverageId: c.id, by })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [row] = await em().execute<{ n: string }[]>(
      `SELECT count(*)::text AS n FROM billing.claim_charge cc JOIN billing.claim k ON k.id = cc.claim_id
       WHERE k.appointment_id = ?`,
      [appointmentId],
    );
    expect(row?.n).toBe('2');
  });

  it('refuses another patient’s, a cancelled or a lapsed coverage, and nothing billable', async () => {
    const p = randomUUID();
    const { appointmentId } = await visit(p);
    const stranger = await coverage(randomUUID());
    await expect(
      createClaim(em(), { appointmentId, coverageId: stranger.id, by }),
    ).rejects.toMatchObject(bad('coverageId'));
    const lapsed = await coverage(p, { periodStart: '2025-01-01', periodEnd: '2026-03-09' });
    await expect(
      createClaim(em(), { appointmentId, coverageId: lapsed.id, by }),
    ).rejects.toMatchObject(bad('coverageId'));
    const cancelled = await coverage(p, { priority: 3 });
    await cancelCoverage(em(), cancelled.id, 1, by);
    await expect(
      createClaim(em(), { appointmentId, coverageId: cancelled.id, by }),
    ).rejects.toMatchObject(bad('coverageId'));
    await expect(
      createClaim(em(), { appointmentId, coverageId: randomUUID(), by }),
    ).rejects.toMatchObject(bad('coverageId'));
    await expect(
      createClaim(em(), { appointmentId: 'nope', coverageId: stranger.id, by }),
    ).rejects.toMatchObject(bad('appointmentId'));

    const cov = await coverage(p, { priority: 2 });
    const noShow = await visit(p, [{ code: 'NO-SHOW', units: 1, fee: 5000n, kind: 'no-show-fee' }]);
    await expect(
      createClaim(em(), { appointmentId: noShow.appointmentId, coverageId: cov.id, by }),
    ).rejects.toMatchObject(bad('appointmentId'));
    const empty = await visit(p, []);
    await expect(
      createClaim(em(), { appointmentId: empty.appointmentId, coverageId: cov.id, by }),
    ).rejects.toMatchObject(bad('appointmentId'));
    const [row] = await em().execute<{ n: string }[]>(
      'SELECT count(*)::text AS n FROM billing.claim WHERE patient_id = ?',
      [p],
    );
    expect(row?.n).toBe('0');
  });

  it('dates the service by the first charge when billing has not seen the appointment', async () => {
    const p = randomUUID();
    const cov = await coverage(p, { periodStart: '2000-01-01', periodEnd: null });
    const { appointmentId } = await visit(p, [{ code: 'G0463', units: 1, fee: 15000n }], null);
    const claim = await createClaim(em(), { appointmentId, coverageId: cov.id, by });
    expect(claim.total).toEqual(usd(15000n));
    const old = await coverage(p, {
      periodStart: '2000-01-01',
      periodEnd: '2001-01-01',
      priority: 2,
    });
    const other = await visit(p, [{ code: 'G0463', units: 1, fee: 15000n }], null);
    await expect(
      createClaim(em(), { appointmentId: other.appointmentId, coverageId: old.id, by }),
    ).rejects.toMatchObject(bad('coverageId'));
  });
});

describe('claim life cycle', () => {
  it('submits a draft once, at the expected version', async () => {
    const p = randomUUID();
    const cov = await coverage(p);
    const { appointmentId } = await visit(p);
    const draft = await createClaim(em(), { appointmentId, coverageId: cov.id, by });
    await expect(submitClaim(em(), draft.id, 2, by)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', currentVersion: 1 },
    });
    await expect(
      adjudicateClaim(em(), draft.id, {
        outcome: 'paid',
        allowed: usd(20000n),
        paid: usd(20000n),
        by,
      }),
    ).rejects.toMatchObject({
      extensions: { code: 'INVALID_TRANSITION', from: 'draft', to: 'paid' },
    });
    await expect(closeClaim(em(), draft.id, by)).rejects.toMatchObject({
      extensions: { code: 'INVALID_TRANSITION', from: 'draft', to: 'closed' },
    });
    const sent = await submitClaim(em(), draft.id, undefined, by);
    expect(sent).toMatchObject({ status: 'submitted', version: 2 });
    expect(sent.submittedAt).toBeInstanceOf(Date);
    await expect(submitClaim(em(), draft.id, 2, by)).rejects.toMatchObject({
      extensions: { code: 'INVALID_TRANSITION', from: 'submitted', to: 'submitted' },
    });
    await expect(submitClaim(em(), randomUUID(), undefined, by)).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    expect((await history(draft.id)).map((h) => h.status)).toEqual(['draft', 'submitted']);
  });

  it('refuses to submit a claim whose charge was reversed since drafting', async () => {
    const p = randomUUID();
    const cov = await coverage(p);
    const { appointmentId, charges } = await visit(p);
    const draft = await createClaim(em(), { appointmentId, coverageId: cov.id, by });
    await reverseEntry(em(), charges[0]!.ledgerEntryId, 'scheduling-events', {
      type: 'appointment',
      id: appointmentId,
    });
    await expect(submitClaim(em(), draft.id, 1, by)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await claimsByIds(em(), [draft.id]))[0]).toMatchObject({ status: 'draft', version: 1 });
  });

  it('adjudicates paid: the payer pays allowed, the rest is written off', async () => {
    const { p, claim } = await submitted();
    expect(await owed(p)).toBe(20000n);
    const paid = await adjudicateClaim(em(), claim.id, {
      outcome: 'paid',
      allowed: usd(15000n),
      paid: usd(15000n),
      payerReference: 'ICN-2026-000123',
      by: 'payer-app-60000',
    });
    expect(paid).toMatchObject({
      status: 'paid',
      outcome: 'paid',
      allowed: usd(15000n),
      paid: usd(15000n),
      payerReference: 'ICN-2026-000123',
      version: 3,
    });
    expect(paid.adjudicatedAt).toBeInstanceOf(Date);
    expect(await claimEntries(claim.id)).toEqual([
      { kind: 'adjustment-writeoff', amount: '-5000' },
      { kind: 'insurance-payment', amount: '-15000' },
    ]);
    expect(await owed(p)).toBe(0n);
    // Posting the same adjudication again adds nothing: the entry ids are the claim's.
    expect(
      await em().transactional((tem) =>
        postEntries(
          tem,
          adjudicationEntries(
            paid,
            { outcome: 'paid', allowed: usd(15000n), paid: usd(15000n) },
            'x',
          ),
        ),
      ),
    ).toBe(0);
    await expect(
      adjudicateClaim(em(), claim.id, {
        outcome: 'paid',
        allowed: usd(15000n),
        paid: usd(15000n),
        by,
      }),
    ).rejects.toMatchObject({
      extensions: { code: 'INVALID_TRANSITION', from: 'paid', to: 'paid' },
    });
    expect(await owed(p)).toBe(0n);

    const closed = await closeClaim(em(), claim.id, by);
    expect(closed).toMatchObject({ status: 'closed', outcome: 'paid', version: 4 });
    expect(closed.closedAt).toBeInstanceOf(Date);
    await expect(closeClaim(em(), claim.id, by)).rejects.toMatchObject({
      extensions: { code: 'INVALID_TRANSITION', from: 'closed', to: 'closed' },
    });
    const h = await history(claim.id);
    expect(h.map((v) => [v.version, v.status])).toEqual([
      [1, 'draft'],
      [2, 'submitted'],
      [3, 'paid'],
      [4, 'closed'],
    ]);
    expect(h[2]).toMatchObject({
      changed_by: 'payer-app-60000',
      snapshot: { outcome: 'paid', totalMinor: '20000', allowedMinor: '15000', paidMinor: '15000' },
    });
  });

  it('adjudicates partly paid: the patient owes allowed − paid', async () => {
    const { p, claim } = await submitted();
    const row = await adjudicateClaim(em(), claim.id, {
      outcome: 'partially-paid',
      allowed: usd(15000n),
      paid: usd(9000n),
      by,
    });
    expect(row).toMatchObject({ status: 'partially-paid', paid: usd(9000n), allowed: usd(15000n) });
    expect(await owed(p)).toBe(6000n);
    expect(await claimEntries(claim.id)).toEqual([
      { kind: 'adjustment-writeoff', amount: '-5000' },
      { kind: 'insurance-payment', amount: '-9000' },
    ]);
    expect((await closeClaim(em(), claim.id, by)).status).toBe('closed');
  });

  it('adjudicates denied: nothing paid, the patient still owes what is allowed', async () => {
    const { p, cov, appointmentId, claim } = await submitted();
    const denied = await adjudicateClaim(em(), claim.id, {
      outcome: 'denied',
      allowed: usd(20000n),
      paid: usd(0n),
      denialReason: '  PR-96 non-covered charge ',
      by,
    });
    expect(denied).toMatchObject({
      status: 'denied',
      outcome: 'denied',
      denialReason: 'PR-96 non-covered charge',
    });
    expect(await claimEntries(claim.id)).toEqual([]);
    expect(await owed(p)).toBe(20000n);
    // A denial posts nothing, whatever it allows: the charges stay owed until the next
    // coverage pays them or staff write them off (no write-off a second claim would double).
    const other = await submitted();
    await adjudicateClaim(em(), other.claim.id, {
      outcome: 'denied',
      allowed: usd(0n),
      paid: usd(0n),
      denialReason: 'CO-50',
      by,
    });
    expect(await claimEntries(other.claim.id)).toEqual([]);
    expect(await owed(other.p)).toBe(20000n);
    // Denied charges may be billed to the next coverage.
    const secondary = await coverage(p, { priority: 2, planId: '70001' });
    const next = await createClaim(em(), { appointmentId, coverageId: secondary.id, by });
    expect(next).toMatchObject({ payerId: '70000', total: usd(20000n) });
    expect(cov.id).not.toBe(secondary.id);
    expect((await closeClaim(em(), claim.id, by)).status).toBe('closed');
  });

  it('refuses impossible amounts with BAD_USER_INPUT and writes nothing', async () => {
    const { p, claim } = await submitted();
    const cases: [Parameters<typeof adjudicateClaim>[2], string][] = [
      [{ outcome: 'paid', allowed: usd(20001n), paid: usd(20001n), by }, 'allowed'],
      [{ outcome: 'partially-paid', allowed: usd(10000n), paid: usd(12000n), by }, 'paid'],
      [{ outcome: 'paid', allowed: usd(15000n), paid: usd(9000n), by }, 'paid'],
      [{ outcome: 'partially-paid', allowed: usd(15000n), paid: usd(0n), by }, 'paid'],
      [{ outcome: 'paid', allowed: money(150n, 'EUR'), paid: money(150n, 'EUR'), by }, 'allowed'],
      [{ outcome: 'paid', allowed: usd(15000n), paid: money(15000n, 'EUR'), by }, 'paid'],
      [{ outcome: 'denied', allowed: usd(0n), paid: usd(0n), by }, 'denialReason'],
      [
        { outcome: 'denied', allowed: usd(100n), paid: usd(100n), denialReason: 'CO-97', by },
        'paid',
      ],
      [{ outcome: 'paid', allowed: usd(-1n), paid: usd(-1n), by }, 'allowed'],
      [{ outcome: 'approved' as 'paid', allowed: usd(1n), paid: usd(1n), by }, 'outcome'],
    ];
    for (const [input, field] of cases)
      await expect(adjudicateClaim(em(), claim.id, input)).rejects.toMatchObject(bad(field));
    expect((await claimsByIds(em(), [claim.id]))[0]).toMatchObject({
      status: 'submitted',
      version: 2,
      allowed: null,
    });
    expect(await claimEntries(claim.id)).toEqual([]);
    expect(await history(claim.id)).toHaveLength(2);
    expect(await owed(p)).toBe(20000n);
  });

  it('applies exactly one of concurrent adjudications of a claim', async () => {
    const { p, claim } = await submitted();
    const attempts: Parameters<typeof adjudicateClaim>[2][] = [
      { outcome: 'paid', allowed: usd(15000n), paid: usd(15000n), by: 'clerk-a' },
      { outcome: 'partially-paid', allowed: usd(18000n), paid: usd(9000n), by: 'clerk-b' },
      { outcome: 'paid', allowed: usd(20000n), paid: usd(20000n), by: 'clerk-c' },
      { outcome: 'denied', allowed: usd(0n), paid: usd(0n), denialReason: 'CO-50', by: 'clerk-d' },
    ];
    const results = await Promise.allSettled(
      attempts.map((a) => adjudicateClaim(em(), claim.id, a)),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ row: r.value, i }] : []));
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({
          extensions: { code: 'INVALID_TRANSITION', from: won[0]!.row.status },
        });
    const winner = attempts[won[0]!.i]!;
    const expected = 20000n - winner.paid.amountMinor - (20000n - winner.allowed.amountMinor);
    expect(await owed(p)).toBe(expected);
    const entries = await claimEntries(claim.id);
    expect(entries.reduce((s, e) => s + BigInt(e.amount), 0n)).toBe(expected - 20000n);
    expect(entries.length).toBeLessThanOrEqual(2);
    expect(new Set(entries.map((e) => e.kind)).size).toBe(entries.length);
    expect((await history(claim.id)).map((h) => h.status)).toEqual([
      'draft',
      'submitted',
      won[0]!.row.status,
    ]);
  });
});

describe('reading claims', () => {
  it('pages newest first with filters and an opaque cursor', async () => {
    const p = randomUUID();
    const [uhc, aetna] = [await coverage(p), await coverage(p, { priority: 2, planId: '70001' })];
    const made: ClaimRow[] = [];
    for (let i = 0; i < 5; i++) {
      const { appointmentId } = await visit(p);
      made.push(
        await createClaim(em(), { appointmentId, coverageId: (i % 2 ? aetna : uhc).id, by }),
      );
    }
    await submitClaim(em(), made[1]!.id, undefined, by);
    await submitClaim(em(), made[4]!.id, undefined, by);

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: ClaimPage = await claimsPage(em(), { patientIds: [p] }, 2, after);
      seen.push(...res.rows.map((r) => r.id));
      if (!res.hasNextPage) break;
      after = res.cursorOf(res.rows.at(-1)!);
    }
    expect(seen).toEqual(made.map((c) => c.id).reverse());

    const submittedOnly = await claimsPage(em(), { patientIds: [p], status: ['submitted'] }, 10);
    expect(submittedOnly.rows.map((r) => r.id)).toEqual([made[4]!.id, made[1]!.id]);
    expect(submittedOnly.hasNextPage).toBe(false);
    const aetnaOnly = await claimsPage(em(), { patientIds: [p], payerId: '70000' }, 10);
    expect(aetnaOnly.rows.map((r) => r.id)).toEqual([made[3]!.id, made[1]!.id]);
    const drafts = await claimsPage(
      em(),
      { patientIds: [p], payerId: '60000', status: ['draft'] },
      1,
    );
    expect(drafts).toMatchObject({ hasNextPage: true, rows: [{ id: made[2]!.id }] });
    expect(await claimsPage(em(), { patientIds: [] }, 10)).toMatchObject({
      rows: [],
      hasNextPage: false,
    });
    const all = await claimsPage(em(), {}, 100);
    expect(all.rows.map((r) => r.id)).toEqual(expect.arrayContaining(made.map((c) => c.id)));

    await expect(claimsPage(em(), { patientIds: [p] }, 10, 'garbage')).rejects.toMatchObject(
      bad('after'),
    );
    await expect(claimsPage(em(), { patientIds: [p] }, 0)).rejects.toMatchObject(bad('first'));
    await expect(claimsPage(em(), { status: ['approved' as 'paid'] }, 10)).rejects.toMatchObject(
      bad('status'),
    );

    const byIds = await claimsByIds(em(), [made[0]!.id, made[2]!.id, randomUUID()]);
    expect(byIds.map((r) => r.id).sort()).toEqual([made[0]!.id, made[2]!.id].sort());
    expect(byIds.find((r) => r.id === made[0]!.id)).toEqual(made[0]);
    const charges = await claimCharges(em(), [made[0]!.id, made[1]!.id, randomUUID()]);
    expect(charges.size).toBe(3);
    expect(charges.get(made[0]!.id)?.map((c) => c.code)).toEqual(['G0463', 'J1885']);
    expect(charges.get(made[1]!.id)?.every((c) => c.appointmentId === made[1]!.appointmentId)).toBe(
      true,
    );
  });
});
