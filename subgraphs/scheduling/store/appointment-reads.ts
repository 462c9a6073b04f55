import DataLoader from 'dataloader';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { badInput } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { decodeCursor, encodeCursor } from '../../../platform/federation/pagination.js';
import { appointmentEvent, decideAppointments } from '../access.js';
import type { SchedulingContext } from '../context.js';
import { AppointmentRecord } from '../entities/index.js';
import type { AppointmentStatus } from '../domain/status.js';

/**
 * Reads appointments for the caller: one decision per appointment, every
 * permit and deny audited in one statement before anything is returned.
 * Refused ones are left out.
 */
export async function readableAppointments(
  ctx: SchedulingContext,
  records: readonly AppointmentRecord[],
  action: 'read' | 'search',
): Promise<AppointmentRecord[]> {
  const decisions = await decideAppointments(ctx, records, action === 'read' ? 'r' : 's');
  await recordAccess(
    ctx,
    records.map((a, i) => appointmentEvent(a.patientId, decisions[i]!, action, a.id)),
  );
  return records.filter((_, i) => decisions[i]!.allowed);
}

/** Filters and paging of a patient's appointments. */
export interface PatientAppointmentsArgs {
  first: number;
  after?: string | null;
  status?: AppointmentStatus[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AppointmentPage {
  records: AppointmentRecord[];
  hasNextPage: boolean;
}

export const appointmentCursor = (a: AppointmentRecord): string =>
  encodeCursor([a.startsAt.toISOString(), a.id]);

/**
 * `Patient.appointments` for many patients at once: one decision round, one
 * audit INSERT and one windowed SQL query for every patient in the response,
 * newest first. A patient whose appointments the caller may not see gets an
 * empty page (the refusal is audited).
 */
export function createPatientAppointmentsLoader(ctx: SchedulingContext) {
  return new DataLoader<
    { patientId: string; args: PatientAppointmentsArgs },
    AppointmentPage,
    string
  >(
    async (keys) => {
      const decisions = await decideAppointments(
        ctx,
        keys.map((k) => ({ patientId: k.patientId })),
        's',
      );
      await recordAccess(
        ctx,
        keys.map((k, i) => appointmentEvent(k.patientId, decisions[i]!, 'search')),
      );
      const allowed = keys.filter((_, i) => decisions[i]!.allowed);
      const byPatient = new Map<string, AppointmentRecord[]>();
      // Keys of one batch come from one selection, so they share their arguments.
      const args = allowed[0]?.args;
      if (args) {
        const where = [`a.patient_id in (${allowed.map(() => '?').join(', ')})`];
        const params: unknown[] = allowed.map((k) => k.patientId);
        if (args.status?.length) {
          where.push(`a.status in (${args.status.map(() => '?').join(', ')})`);
          params.push(...args.status);
        }
        if (args.from) {
          where.push('a.starts_at >= ?');
          params.push(args.from);
        }
        if (args.to) {
          where.push('a.starts_at < ?');
          params.push(args.to);
        }
        const cursor = decodeCursor(args.after, 2);
        if (cursor) {
          if (Number.isNaN(Date.parse(String(cursor[0]))))
            throw badInput('after is not a valid cursor', 'after');
          where.push('(a.starts_at, a.id) < (?::timestamptz, ?::uuid)');
          params.push(String(cursor[0]), requireUuid(String(cursor[1]), 'after'));
        }
        const rows = await ctx.em.execute<Record<string, unknown>[]>(
          `select * from (
             select a.*, row_number() over (partition by a.patient_id order by a.starts_at desc, a.id desc) as rn
               from appointment a where ${where.join(' and ')}
           ) r where r.rn <= ?`,
          [...params, args.first + 1],
        );
        for (const row of rows) {
          const record = ctx.em.map(AppointmentRecord, row);
          byPatient.set(record.patientId, [...(byPatient.get(record.patientId) ?? []), record]);
        }
      }
      return keys.map((k, i) => {
        if (!decisions[i]!.allowed) return { records: [], hasNextPage: false };
        const all = (byPatient.get(k.patientId) ?? []).sort(
          (a, b) => b.startsAt.getTime() - a.startsAt.getTime() || (a.id < b.id ? 1 : -1),
        );
        return { records: all.slice(0, k.args.first), hasNextPage: all.length > k.args.first };
      });
    },
    { cacheKeyFn: (k) => JSON.stringify([k.patientId, k.args]) },
  );
}
