import { currentStatus } from '../domain/reported.js';
import type { ReportRow, StatusRow } from '../store/status.js';
import type { FacilityStatus, FacilityStatusReport } from './status.types.js';

/** The GraphQL status of a facility (an empty one when it never reported). */
export function toStatus(
  row: StatusRow | undefined,
  facility: { emergency: boolean; timeZone: string },
  now: Date,
  staleMinutes: number,
): FacilityStatus {
  const hours = row?.hours ?? null;
  return {
    ...currentStatus(row, facility, now, staleMinutes),
    hours: hours && row?.hoursAt ? { intervals: [...hours], observedAt: row.hoursAt } : null,
    staleAfterMinutes: staleMinutes,
    version: row?.version ?? 0,
  };
}

/** The GraphQL shape of one report. */
export function toReport(r: ReportRow): FacilityStatusReport {
  return {
    id: r.id,
    observedAt: r.observedAt,
    recordedAt: r.recordedAt,
    source: r.source,
    bedsAvailable: r.reported.bedsAvailable ?? null,
    emergencyWaitMinutes: r.reported.emergencyWaitMinutes ?? null,
    diversion: r.reported.diversion ?? null,
    hours: r.reported.hours ? [...r.reported.hours] : null,
    applied: r.applied,
  };
}
