import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { instantKey } from '../../../platform/federation/keyset.js';
import type { WeeklyHours } from '../../../platform/time/index.js';
import { reportedFields, type StatusField, type StatusReport } from '../domain/status-report.js';

/** A facility's current status: each value with when it was observed (null: never reported). */
export interface StatusRow {
  facilityId: string;
  bedsAvailable: number | null;
  bedsAvailableAt: Date | null;
  emergencyWaitMinutes: number | null;
  emergencyWaitAt: Date | null;
  diversion: boolean | null;
  diversionAt: Date | null;
  hours: WeeklyHours | null;
  hoursAt: Date | null;
  version: number;
}

const STATUS_COLUMNS = `facility_id AS "facilityId", beds_available AS "bedsAvailable",
  beds_available_at AS "bedsAvailableAt", emergency_wait_minutes AS "emergencyWaitMinutes",
  emergency_wait_at AS "emergencyWaitAt", diversion, diversion_at AS "diversionAt", hours,
  hours_at AS "hoursAt", version`;

/** Column pairs (value, observed at) of each field. */
const COLUMNS: Record<StatusField, [string, string]> = {
  bedsAvailable: ['beds_available', 'beds_available_at'],
  emergencyWaitMinutes: ['emergency_wait_minutes', 'emergency_wait_at'],
  diversion: ['diversion', 'diversion_at'],
  hours: ['hours', 'hours_at'],
};
const AT: Record<StatusField, keyof StatusRow> = {
  bedsAvailable: 'bedsAvailableAt',
  emergencyWaitMinutes: 'emergencyWaitAt',
  diversion: 'diversionAt',
  hours: 'hoursAt',
};

/** The status of each facility that has one, in one statement. */
export async function statusesOf(
  em: EntityManager,
  facilityIds: readonly string[],
): Promise<Map<string, StatusRow>> {
  if (facilityIds.length === 0) return new Map();
  const rows = await em.execute<StatusRow[]>(
    `SELECT ${STATUS_COLUMNS} FROM facility_status WHERE facility_id IN (SELECT json_array_elements_text(?::json))`,
    [JSON.stringify([...new Set(facilityIds)])],
  );
  return new Map(rows.map((r) => [r.facilityId, normalise(r)]));
}

const normalise = (r: StatusRow): StatusRow => ({
  ...r,
  bedsAvailableAt: dateOrNull(r.bedsAvailableAt),
  emergencyWaitAt: dateOrNull(r.emergencyWaitAt),
  diversionAt: dateOrNull(r.diversionAt),
  hoursAt: dateOrNull(r.hoursAt),
});
const dateOrNull = (d: Date | string | null) => (d === null ? null : new Date(d));

/** What a report did: the status after it, and which of its values became current. */
export interface ReportOutcome {
  reportId: string;
  status: StatusRow;
  applied: StatusField[];
}

/**
 * Records one status report (staff or feed) and makes each value it carries
 * current unless a newer observation of that value is already held (a late
 * report of an older time is kept in the history but changes nothing now).
 * The facility's status row is locked for the read-compare-write, so
 * concurrent reports apply in observation order whatever their arrival.
 * Run inside a transaction (the caller's idempotent write).
 */
export async function recordStatusReport(
  em: EntityManager,
  facilityId: string,
  report: StatusReport,
  source: 'staff' | 'feed',
  reportedBy: string,
): Promise<ReportOutcome> {
  await em.execute(
    'INSERT INTO facility_status (facility_id) VALUES (?) ON CONFLICT (facility_id) DO NOTHING',
    [facilityId],
  );
  const [locked] = await em.execute<StatusRow[]>(
    `SELECT ${STATUS_COLUMNS} FROM facility_status WHERE facility_id = ? FOR UPDATE`,
    [facilityId],
  );
  const current = normalise(locked!);
  const applied = reportedFields(report).filter((f) => {
    const at = current[AT[f]] as Date | null;
    return at === null || at.getTime() <= report.observedAt.getTime();
  });
  if (applied.length) {
    const sets = applied.flatMap((f) => [`${COLUMNS[f][0]} = ?`, `${COLUMNS[f][1]} = ?`]);
    const values = applied.flatMap((f) => [
      f === 'hours' ? (report.hours === null ? null : JSON.stringify(report.hours)) : report[f],
      report.observedAt,
    ]);
    await em.execute(
      `UPDATE facility_status SET ${sets.join(', ')}, version = version + 1, updated_at = now()
        WHERE facility_id = ?`,
      [...values, facilityId],
    );
  }
  const reportId = randomUUID();
  await em.execute(
    `INSERT INTO facility_status_report (id, facility_id, observed_at, source, reported_by, reported, applied)
     VALUES (?, ?, ?, ?, ?, ?::jsonb, ARRAY(SELECT json_array_elements_text(?::json)))`,
    [
      reportId,
      facilityId,
      report.observedAt,
      source,
      reportedBy,
      JSON.stringify({ ...report, observedAt: undefined }),
      JSON.stringify(applied),
    ],
  );
  const status = (await statusesOf(em, [facilityId])).get(facilityId)!;
  return { reportId, status, applied };
}

/** One report of the history, newest observation first. */
export interface ReportRow {
  id: string;
  facilityId: string;
  observedAt: Date;
  recordedAt: Date;
  source: 'staff' | 'feed';
  reported: Omit<StatusReport, 'observedAt'>;
  applied: StatusField[];
}

/**
 * A facility's reports, newest observation first, `first` of them after the
 * keyset position `after` (observed at to the microsecond, id), plus one to
 * tell if more follow; each with its sort key for the cursor.
 */
export async function statusReports(
  em: EntityManager,
  facilityId: string,
  first: number,
  after: { at: string; id: string } | null,
): Promise<(ReportRow & { sortKey: string })[]> {
  const rows = await em.execute<(ReportRow & { sortKey: string })[]>(
    `SELECT id, facility_id AS "facilityId", observed_at AS "observedAt", recorded_at AS "recordedAt",
            source, reported, applied, ${instantKey('observed_at')} AS "sortKey"
       FROM facility_status_report
      WHERE facility_id = ?
        AND (?::timestamptz IS NULL OR (observed_at, id) < (?::timestamptz, ?::uuid))
      ORDER BY observed_at DESC, id DESC
      LIMIT ?`,
    [facilityId, after?.at ?? null, after?.at ?? null, after?.id ?? null, first + 1],
  );
  return rows.map((r) => ({
    ...r,
    observedAt: new Date(r.observedAt),
    recordedAt: new Date(r.recordedAt),
  }));
}

/** The report with this id, if any (a replayed feed call answers with it). */
export async function reportById(em: EntityManager, id: string): Promise<ReportRow | undefined> {
  const [r] = await em.execute<ReportRow[]>(
    `SELECT id, facility_id AS "facilityId", observed_at AS "observedAt", recorded_at AS "recordedAt",
            source, reported, applied
       FROM facility_status_report WHERE id = ?`,
    [id],
  );
  return r && { ...r, observedAt: new Date(r.observedAt), recordedAt: new Date(r.recordedAt) };
}
