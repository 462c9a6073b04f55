/**
 * Bounds of one `availableSlots` search. The gateway's cost estimate counts the same numbers
 * (`availableSlots` in gateway/limits/settings.ts: days times the schedules a filter can
 * match); tests/hardening/patient-scheduling.test.ts checks that the two agree.
 */
export const SLOT_SEARCH = {
  /** Longest window, in days. */
  maxRangeDays: 31,
  /** Most schedules (a practitioner at a facility) one search may cover; more is BAD_USER_INPUT. */
  maxSchedules: 50,
  /** Largest page (`first`). */
  maxFirst: 200,
  /** Page when `first` is not given. */
  defaultFirst: 50,
} as const;
