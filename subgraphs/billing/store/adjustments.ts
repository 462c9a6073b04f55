import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import type { Cause } from '../domain/ledger.js';
import { money, type Money } from '../domain/money.js';
import { runOnce } from '../../../platform/db/idempotency.js';
import { postEntries, SCHEMA } from './ledger.js';
import { requireMoney, requireReason } from './refunds.js';

export type AdjustmentKind = 'write-off' | 'correction';

export interface AdjustBalance {
  patientId: string;
  kind: AdjustmentKind;
  /** write-off: a positive magnitude (posted as a credit); correction: signed, non-zero. */
  amount: Money;
  /** Why (1–500 characters; shown to billing staff only). */
  reason: string;
  /** A claim of this patient the adjustment belongs to (e.g. a write-off after adjudication). */
  claimId?: string | null;
  idempotencyKey: string;
  /** The caller (principal `sub`). */
  by: string;
}

export interface AdjustmentRow {
  id: string;
  patientId: string;
  kind: AdjustmentKind;
  /** Signed as posted: a write-off is negative. */
  amount: Money;
  reason: string;
  claimId: string | null;
  ledgerEntryId: string;
  createdAt: Date;
  createdBy: string;
}

interface AdjustmentDbRow {
  id: string;
  patient_id: string;
  kind: AdjustmentKind;
  amount_minor: string;
  currency: string;
  reason: string;
  claim_id: string | null;
  ledger_entry_id: string;
  /** timestamptz: raw queries return it as text. */
  created_at: string;
  created_by: string;
}

const OPERATION = 'adjustBalance';

async function loadAdjustment(em: EntityManager, id: string): Promise<AdjustmentRow> {
  const [r] = await em.execute<AdjustmentDbRow[]>(
    `SELECT id, patient_id, kind, amount_minor::text AS amount_minor, currency, reason, claim_id,
       ledger_entry_id, created_at, created_by FROM ${SCHEMA}.adjustment WHERE id = ?`,
    [id],
  );
  if (!r) throw new Error('Idempotency key points to a missing adjustment');
  return {
    id: r.id,
    patientId: r.patient_id,
    kind: r.kind,
    amount: money(r.amount_minor, r.currency),
    reason: r.reason,
    claimId: r.claim_id,
    ledgerEntryId: r.ledger_entry_id,
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
  };
}

/** The amount as posted: a write-off is a positive magnitude turned into a credit. */
function postedAmount(kind: AdjustmentKind, amount: Money): Money {
  if (kind === 'write-off') {
    if (amount.amountMinor <= 0n)
      throw badInput('A write-off is a positive amount (it is posted as a credit)', 'amount');
    return { ...amount, amountMinor: -amount.amountMinor };
  }
  if (amount.amountMinor === 0n) throw badInput('A correction moves a non-zero amount', 'amount');
  return amount;
}

/**
 * Writes off or corrects a patient's balance, once per (caller, idempotency
 * key): the adjustment row and its ledger entry (`adjustment-writeoff` or
 * `adjustment-correction`) commit together, in the caller's transaction.
 * The entry is caused by the claim when one is named (it must be the
 * patient's, in the same currency), else by the user.
 */
export async function adjustBalance(
  em: EntityManager,
  input: AdjustBalance,
): Promise<{ adjustment: AdjustmentRow; replayed: boolean }> {
  const patientId = requireUuid(input.patientId, 'patientId');
  if (input.kind !== 'write-off' && input.kind !== 'correction')
    throw badInput('kind is write-off or correction', 'kind');
  const kind = input.kind;
  const amount = postedAmount(kind, requireMoney(input.amount));
  const reason = requireReason(input.reason);
  const claimId = input.claimId ? requireUuid(input.claimId, 'claimId') : null;
  const { id, replayed } = await runOnce(
    em,
    SCHEMA,
    {
      by: input.by,
      key: input.idempotencyKey,
      operation: OPERATION,
      request: {
        patientId,
        kind,
        amountMinor: amount.amountMinor.toString(),
        currency: amount.currency,
        reason,
        claimId,
      },
    },
    async (tem) => {
      if (claimId) {
        const [claim] = await tem.execute<{ currency: string }[]>(
          `SELECT currency FROM ${SCHEMA}.claim WHERE id = ? AND patient_id = ?`,
          [claimId, patientId],
        );
        // One message whether the claim is missing or another patient's: nothing to learn from it.
        if (!claim) throw badInput('claimId must name a claim of this patient', 'claimId');
        if (claim.currency !== amount.currency)
          throw badInput(
            `An adjustment is in the currency of its claim (${claim.currency})`,
            'amount',
          );
      }
      const adjustmentId = randomUUID();
      const entryId = randomUUID();
      await tem.execute(
        `INSERT INTO ${SCHEMA}.adjustment (id, patient_id, kind, amount_minor, currency, reason,
           claim_id, ledger_entry_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          adjustmentId,
          patientId,
          kind,
          amount.amountMinor.toString(),
          amount.currency,
          reason,
          claimId,
          entryId,
          input.by,
        ],
      );
      const cause: Cause = claimId
        ? { type: 'claim', id: claimId }
        : { type: 'user', id: input.by };
      await postEntries(tem, [
        {
          id: entryId,
          patientId,
          amount,
          kind: kind === 'write-off' ? 'adjustment-writeoff' : 'adjustment-correction',
          cause,
          createdBy: input.by,
        },
      ]);
      return adjustmentId;
    },
  );
  return { adjustment: await loadAdjustment(em, id), replayed };
}
