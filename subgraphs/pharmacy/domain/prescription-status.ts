import { invalidTransition } from '../../../platform/errors/index.js';

/** A prescription's status (FHIR MedicationRequest.status, the subset a prescriber uses). */
export type PrescriptionStatus =
  'active' | 'on-hold' | 'completed' | 'cancelled' | 'stopped' | 'entered-in-error';

/** What a prescriber (or a renewal) does to a prescription's status. */
export type StatusAction =
  'hold' | 'resume' | 'discontinue' | 'cancel' | 'complete' | 'enteredInError';

const NEXT: Record<StatusAction, { to: PrescriptionStatus; from: readonly PrescriptionStatus[] }> =
  {
    hold: { to: 'on-hold', from: ['active'] },
    resume: { to: 'active', from: ['on-hold'] },
    // Stopped: discontinued after it may have been taken (FHIR `stopped`).
    discontinue: { to: 'stopped', from: ['active', 'on-hold'] },
    // Cancelled: withdrawn before anything was dispensed (FHIR `cancelled`).
    cancel: { to: 'cancelled', from: ['active', 'on-hold'] },
    // Completed: replaced by a renewal, or every fill taken.
    complete: { to: 'completed', from: ['active', 'on-hold'] },
    enteredInError: {
      to: 'entered-in-error',
      from: ['active', 'on-hold', 'completed', 'cancelled', 'stopped'],
    },
  };

/** Actions that must give a reason (kept, encrypted, with the version). */
export const NEEDS_REASON: ReadonlySet<StatusAction> = new Set([
  'hold',
  'discontinue',
  'cancel',
  'enteredInError',
]);

/**
 * The status `action` leads to from `current`; INVALID_TRANSITION
 * when the prescription is not in a status the action applies to. A cancel
 * after a dispense is a discontinuation, so `dispensed` refuses it.
 */
export function nextStatus(
  current: PrescriptionStatus,
  action: StatusAction,
  dispensed: boolean,
): PrescriptionStatus {
  const rule = NEXT[action];
  if (!rule.from.includes(current))
    throw invalidTransition(`A ${current} prescription cannot become ${rule.to}`);
  if (action === 'cancel' && dispensed)
    throw invalidTransition('A prescription already dispensed is discontinued, not cancelled');
  return rule.to;
}
