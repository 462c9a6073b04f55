import DataLoader from 'dataloader';
import { decideLists, readableRecords } from '../../../platform/authz/index.js';
import {
  collectPages,
  emptyPage,
  windowedPage,
  type Page,
  type WindowSpec,
} from '../../../platform/federation/keyset.js';
import { appointmentPolicy } from '../access.js';
import type { SchedulingContext } from '../context.js';
import { AppointmentRecord } from '../entities/index.js';
import type { AppointmentStatus } from '../domain/status.js';

/**
 * Reads appointments for the caller: one decision per appointment, every
 * permit and deny audited in one statement before anything is returned.
 * Refused ones are left out.
 */
export function readableAppointments(
  ctx: SchedulingContext,
  records: readonly AppointmentRecord[],
  action: 'read' | 'search',
): Promise<AppointmentRecord[]> {
  return readableRecords(ctx, records, appointmentPolicy(action === 'read' ? 'r' : 's'), action);
}

/** Filters and paging of a patient's appointments. */
export interface PatientAppointmentsArgs {
  first: number;
  after?: string | null;
  status?: AppointmentStatus[] | null;
  from?: Date | null;
  to?: Date | null;
}

/** A patient's appointments, newest first (by start, then id). */
const APPOINTMENTS: WindowSpec = {
  kind: 'appointment',
  from: 'appointment a',
  owner: 'a.patient_id',
  at: 'a.starts_at',
  id: 'a.id',
  order: 'desc',
  select: 'a.*',
};

/** The filters of `Patient.appointments` as windowed-page conditions. */
function appointmentFilters(args: PatientAppointmentsArgs) {
  const filters: { sql: string; params: unknown[] }[] = [];
  if (args.status?.length)
    filters.push({
      sql: 'a.status IN (SELECT json_array_elements_text(?::json))',
      params: [JSON.stringify(args.status)],
    });
  if (args.from) filters.push({ sql: 'a.starts_at >= ?', params: [args.from] });
  if (args.to) filters.push({ sql: 'a.starts_at < ?', params: [args.to] });
  return filters;
}

/**
 * `Patient.appointments` for many patients at once: one statement reads the
 * windowed page of every patient in the response (newest first) together
 * with their access facts, then one decision round and one audit INSERT (the
 * kernel's `decideLists`) before any row is used. A patient whose
 * appointments the caller may not see gets an empty page (the refusal is
 * audited; their rows read are dropped unmapped).
 */
export function createPatientAppointmentsLoader(ctx: SchedulingContext) {
  return new DataLoader<
    { patientId: string; args: PatientAppointmentsArgs },
    Page<AppointmentRecord>,
    string
  >(
    async (keys) => {
      // Aliases may ask for other filters or pages: one windowed query per distinct arguments,
      // each read with the access facts of its patients in the same statement.
      const argsKey = (k: (typeof keys)[number]) => JSON.stringify(k.args);
      const windows = [...new Map(keys.map((k) => [argsKey(k), k.args]))].map(([key, args]) => {
        const owners = [...new Set(keys.filter((k) => argsKey(k) === key).map((k) => k.patientId))];
        const spec = { ...APPOINTMENTS, filters: appointmentFilters(args) };
        return { key, owners, spec, window: windowedPage(spec, owners, args.first, args.after) };
      });
      const rowsOf = await Promise.all(
        windows.map((w) =>
          ctx.withFacts<Record<string, unknown> & { sort_key: string }>(w.owners, {
            sql: `SELECT * FROM (${w.window.sql}) w WHERE w.rn <= ?`,
            params: [...w.window.params, w.window.limit],
            owner: 'patient_id',
            orderBy: ['rn'],
          }),
        ),
      );
      // Decided on the facts just read (no statement), audited in one INSERT before any row is used.
      const decisions = await decideLists(
        ctx,
        keys.map((k) => ({ patientId: k.patientId })),
        appointmentPolicy('s'),
      );
      const allowed = new Set(keys.filter((_, i) => decisions[i]!.allowed).map((k) => k.patientId));
      const pagesOf = new Map<string, Map<string, Page<AppointmentRecord>>>();
      windows.forEach((w, i) => {
        const owners = w.owners.filter((o) => allowed.has(o));
        const rows = owners.flatMap((o) => rowsOf[i]!.get(o) ?? []);
        pagesOf.set(
          w.key,
          collectPages(
            w.spec,
            w.window,
            owners,
            rows,
            (r) => String(r.patient_id),
            (r) => String(r.id),
            (r) => ctx.em.map(AppointmentRecord, r),
          ),
        );
      });
      return keys.map((k, i) =>
        decisions[i]!.allowed
          ? (pagesOf.get(argsKey(k))?.get(k.patientId) ?? emptyPage())
          : emptyPage(),
      );
    },
    { cacheKeyFn: (k) => JSON.stringify([k.patientId, k.args]) },
  );
}
