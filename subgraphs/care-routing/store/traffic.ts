import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** One region's traffic report: travel there takes `factor` times its free-flow time. */
export interface TrafficReport {
  region: string;
  factor: number;
  observedAt: Date;
}

/** Records a feed's batch of reports in one statement; answers how many. */
export async function recordTraffic(
  em: EntityManager,
  reports: readonly TrafficReport[],
  reportedBy: string,
): Promise<number> {
  if (reports.length === 0) return 0;
  await em.execute(
    `INSERT INTO traffic_report (id, region, factor, observed_at, reported_by)
     SELECT r.id, r.region, r.factor, r.observed_at, ?
       FROM json_to_recordset(?::json) AS r(id uuid, region text, factor float8, observed_at timestamptz)`,
    [
      reportedBy,
      JSON.stringify(
        reports.map((r) => ({
          id: randomUUID(),
          region: r.region,
          factor: r.factor,
          observed_at: r.observedAt.toISOString(),
        })),
      ),
    ],
  );
  return reports.length;
}

/**
 * The current factor of each region that has one: its latest observation,
 * if that is within `ttlMinutes` of `now` (older traffic is no news). One
 * statement for every region asked.
 */
export async function currentTraffic(
  em: EntityManager,
  regions: readonly string[],
  now: Date,
  ttlMinutes: number,
): Promise<Map<string, { factor: number; observedAt: Date }>> {
  if (regions.length === 0) return new Map();
  const rows = await em.execute<{ region: string; factor: number; observedAt: Date }[]>(
    `SELECT DISTINCT ON (region) region, factor, observed_at AS "observedAt"
       FROM traffic_report
      WHERE region IN (SELECT json_array_elements_text(?::json)) AND observed_at > ?::timestamptz AND observed_at <= ?::timestamptz
      ORDER BY region, observed_at DESC`,
    [
      JSON.stringify([...new Set(regions)]),
      new Date(now.getTime() - ttlMinutes * 60_000),
      new Date(now.getTime() + 300_000),
    ],
  );
  return new Map(
    rows.map((r) => [r.region, { factor: r.factor, observedAt: new Date(r.observedAt) }]),
  );
}
