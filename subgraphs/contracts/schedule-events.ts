import { z } from 'zod';
import { defineEvent } from '../../platform/events/contract.js';
import { validateScheduleRule } from '../../platform/time/index.js';

const localTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/);
const localDate = z.iso.date();
const interval = z.object({ start: localTime, end: localTime });
const weekday = z.union([
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(4),
  z.literal(5),
  z.literal(6),
  z.literal(7),
]);

const scheduleData = z
  .object({
    scheduleId: z.guid(),
    practitionerId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
    /** The FHIR Location id the schedule is kept at (care routing maps it to a facility). */
    facilityId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
    /** The practitioner's specialties (NUCC display names), as the directory lists them. */
    specialties: z.array(z.string().min(1).max(200)).max(20),
    timeZone: z.string().min(1).max(64),
    slotMinutes: z.number().int(),
    weekly: z.array(interval.extend({ weekday })).max(100),
    exceptions: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ date: localDate, kind: z.literal('closed') }),
          z.object({ date: localDate, kind: z.literal('hours'), intervals: z.array(interval) }),
        ]),
      )
      .max(1000),
    /** Bookable: the schedule and its practitioner are both active. */
    active: z.boolean(),
    /** Grows with every change of the schedule (or of what it carries of its practitioner). */
    version: z.number().int().min(1).max(2_147_483_647),
  })
  .superRefine((d, ctx) => {
    // A consumer lays slots out from the rule: it must be one platform/time accepts.
    if (validateScheduleRule(d).length > 0)
      ctx.addIssue({ code: 'custom', path: ['weekly'], message: 'not a valid schedule rule' });
  });
export type ScheduleChangedData = z.infer<typeof scheduleData>;

/**
 * `schedule.changed`: a practitioner's bookable hours at one facility as
 * they now stand (the whole rule, not a delta), or its practitioner's
 * specialties or active flag changed. Directory data only (no PHI). A
 * consumer keeps the highest `version` it has seen per `scheduleId` and
 * ignores older or repeated ones.
 */
export const SCHEDULE_CHANGED = defineEvent('schedule.changed', scheduleData, (d) => d.scheduleId);
