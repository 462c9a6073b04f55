import type { EntityManager } from '@mikro-orm/postgresql';
import {
  addWeeks,
  backtest,
  fillWeeks,
  forecastWeekly,
  weekOf,
  type BacktestResult,
  type ForecastPoint,
  type WeeklyPoint,
} from '../domain/forecast/index.js';
import { DEFAULT_THRESHOLD } from '../domain/suppression.js';

export const FORECAST_SERIES = ['admissions', 'appointments', 'dispensing'] as const;
export type ForecastSeriesName = (typeof FORECAST_SERIES)[number];

/** Weeks forecast ahead, series kept per family, and the backtest's shape. */
export const FORECAST_HORIZON = 12;
export const KEYS_PER_SERIES = 20;
const BACKTEST = { horizon: 4, origins: 13, step: 4 } as const;
/** Weeks of history fitted (three years: the seasonal terms need two). */
const HISTORY_WEEKS = 156;

export interface ForecastRow {
  series: ForecastSeriesName;
  key: string;
  computedAt: Date;
  method: string;
  /** The fitted weeks, counts below the small-cell threshold withheld (null). */
  history: { week: string; count: number | null }[];
  points: ForecastPoint[];
  backtest: Pick<BacktestResult, 'model' | 'baseline' | 'origins' | 'horizon'> | null;
}

/**
 * The weekly series of a family's busiest keys, each a regular grid of weeks
 * (zeros filled) ending at the family's last week with data (never after
 * `now`'s week): one statement for the keys, one for the weeks.
 */
async function seriesOf(
  em: EntityManager,
  series: ForecastSeriesName,
  now: Date,
): Promise<Map<string, WeeklyPoint[]>> {
  const nowWeek = weekOf(now.toISOString().slice(0, 10));
  const rows = await em.execute<{ series_key: string; week: string; n: number }[]>(
    `WITH top AS (
       SELECT series_key FROM series_count WHERE series = ? AND week <= ?::date
        GROUP BY series_key HAVING sum(amount) > 0 ORDER BY sum(amount) DESC, series_key LIMIT ?)
     SELECT c.series_key, to_char(c.week, 'YYYY-MM-DD') AS week, sum(c.amount)::int AS n
       FROM series_count c JOIN top USING (series_key)
      WHERE c.series = ? AND c.week <= ?::date
      GROUP BY c.series_key, c.week`,
    [series, nowWeek, KEYS_PER_SERIES, series, nowWeek],
  );
  if (!rows.length) return new Map();
  const last = rows.reduce((m, r) => (r.week > m ? r.week : m), rows[0]!.week);
  const first = addWeeks(last, -(HISTORY_WEEKS - 1));
  const byKey = new Map<string, WeeklyPoint[]>();
  for (const r of rows) {
    if (r.week < first) continue;
    const list = byKey.get(r.series_key) ?? [];
    list.push({ week: r.week, value: Number(r.n) });
    byKey.set(r.series_key, list);
  }
  // Each key from its own first week (a new key has no history before it) to the family's last.
  return new Map(
    [...byKey].map(([k, points]) => {
      const start = points.reduce((m, p) => (p.week < m ? p.week : m), points[0]!.week);
      return [k, fillWeeks(points, start, last)];
    }),
  );
}

function forecastRow(
  series: ForecastSeriesName,
  key: string,
  history: WeeklyPoint[],
  now: Date,
): ForecastRow {
  const f = forecastWeekly(history, FORECAST_HORIZON);
  let bt: ForecastRow['backtest'] = null;
  try {
    const r = backtest(history, { ...BACKTEST, minTrain: 8 });
    bt = { model: r.model, baseline: r.baseline, origins: r.origins, horizon: r.horizon };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err; // too short to test: no backtest
  }
  return {
    series,
    key,
    computedAt: now,
    method: f.fit
      ? `${f.method} (K=${f.fit.harmonics}, ${f.fit.transform} scale, Student-t intervals)`
      : f.method,
    history: history.map((p) => ({
      week: p.week,
      count: p.value > 0 && p.value < DEFAULT_THRESHOLD ? null : p.value,
    })),
    points: f.points,
    backtest: bt,
  };
}

/**
 * Recomputes every family's forecasts from the weekly counts, replacing the
 * stored ones (a key no longer among the busiest is dropped), and ages the
 * store: a year of birth that now says "over 89" is removed (Safe Harbor).
 */
export async function refreshForecasts(em: EntityManager, now: Date): Promise<ForecastRow[]> {
  await em.execute(
    'UPDATE subject SET birth_year = NULL, aged_90_plus = true WHERE ? - birth_year > 89',
    [now.getUTCFullYear()],
  );
  const made: ForecastRow[] = [];
  for (const series of FORECAST_SERIES) {
    for (const [key, history] of await seriesOf(em, series, now))
      made.push(forecastRow(series, key, history, now));
  }
  await em.execute('DELETE FROM forecast');
  if (made.length)
    await em.execute(
      `INSERT INTO forecast (series, series_key, computed_at, method, history, points, backtest)
       SELECT r.series, r.key, r.computed_at, r.method, r.history, r.points, r.backtest
         FROM json_to_recordset(?::json) AS r(series text, key text, computed_at timestamptz,
          method text, history jsonb, points jsonb, backtest jsonb)`,
      [JSON.stringify(made.map((m) => ({ ...m, computed_at: m.computedAt.toISOString() })))],
    );
  return made;
}

/** Stored forecasts of a family (of some keys when given), busiest first. */
export async function forecastsOf(
  em: EntityManager,
  series: ForecastSeriesName,
  keys: readonly string[] | null,
): Promise<ForecastRow[]> {
  const rows = await em.execute<
    {
      series: ForecastSeriesName;
      series_key: string;
      computed_at: Date;
      method: string;
      history: ForecastRow['history'];
      points: ForecastPoint[];
      backtest: ForecastRow['backtest'];
    }[]
  >(
    `SELECT series, series_key, computed_at, method, history, points, backtest FROM forecast
      WHERE series = ? ${keys ? 'AND series_key IN (SELECT json_array_elements_text(?::json))' : ''}
      ORDER BY series_key`,
    keys ? [series, JSON.stringify(keys)] : [series],
  );
  return rows.map((r) => ({
    series: r.series,
    key: r.series_key,
    computedAt: new Date(r.computed_at),
    method: r.method,
    history: r.history,
    points: r.points,
    backtest: r.backtest,
  }));
}
