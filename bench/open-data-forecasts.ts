import { parseArgs } from 'node:util';
import { sharedDataDir } from '../subgraphs/fhir-adapter/population/data-dir.js';
import {
  DEFAULT_UNTIL,
  generatePatient,
  windowOf,
} from '../subgraphs/fhir-adapter/population/generate.js';
import { loadReferenceData } from '../subgraphs/fhir-adapter/population/reference-data.js';
import {
  backtest,
  PopulationSeries,
  SERIES_FAMILIES,
  wholeWeeks,
  type Accuracy,
  type BacktestResult,
  type NamedSeries,
} from '../subgraphs/open-data/domain/forecast/index.js';

/**
 * Forecast accuracy on a generated population: patients from the repository's
 * generator (default 10,000, 5 years, seed 1; about 5 s to generate), weekly
 * series derived from their resources (population-series.ts: admissions per
 * ZIP3, ambulatory encounters per type, MedicationRequests per drug; the top 5
 * of each), then a rolling-origin backtest of the harmonic-regression model
 * against the seasonal-naive baseline (origins every 4 weeks over the last
 * year, h = 1..8). Prints a table and the time of each phase.
 * `npm run bench:open-data-forecasts -- --patients 2000 --seed 3 --years 5
 * --top 5 --horizon 8 --origins 13 --step 4` (BENCH_FORECAST_PATIENTS also sets
 * the population size).
 */
const { values: flags } = parseArgs({
  options: {
    patients: { type: 'string', default: process.env.BENCH_FORECAST_PATIENTS ?? '10000' },
    seed: { type: 'string', default: '1' },
    years: { type: 'string', default: '5' },
    top: { type: 'string', default: '5' },
    horizon: { type: 'string', default: '8' },
    origins: { type: 'string', default: '13' },
    step: { type: 'string', default: '4' },
  },
});
const int = (name: keyof typeof flags) => {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const patients = int('patients');
const opts = { seed: int('seed'), years: int('years'), until: DEFAULT_UNTIL };
const testOpts = { horizon: int('horizon'), origins: int('origins'), step: int('step') };
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(2);

let started = performance.now();
const ref = loadReferenceData(sharedDataDir());
const collector = new PopulationSeries();
let resources = 0;
for (let i = 0; i < patients; i++) {
  generatePatient(ref, opts, i, (r) => {
    resources++;
    collector.add(r);
  });
}
const w = windowOf(opts);
const weeks = wholeWeeks(
  new Date(w.start * 1000).toISOString(),
  new Date(w.until * 1000).toISOString(),
);
const series = SERIES_FAMILIES.flatMap((f) => collector.top(f, int('top'), weeks.from, weeks.to));
const generateSeconds = seconds(started);

started = performance.now();
const results = series.map((s) => ({ s, r: tryBacktest(s) }));
const backtestSeconds = seconds(started);

process.stdout.write(
  `Open-data forecasts (${new Date().toISOString()}): ${patients} patients, seed ${opts.seed}, ` +
    `${opts.years} years (weeks ${weeks.from}..${weeks.to}), ${resources} resources\n` +
    `backtest: ${testOpts.origins} origins every ${testOpts.step} weeks, h = 1..${testOpts.horizon}; ` +
    `model = harmonic regression (sqrt scale, K and AR(1) errors by AICc), baseline = seasonal naive (52 weeks)\n\n`,
);
const header = [
  'series',
  'weeks',
  'mean/wk',
  'method',
  'MAE',
  'RMSE',
  'MASE',
  'cov80',
  'cov95',
  'sn MAE',
  'sn RMSE',
  'sn MASE',
  'sn cov80',
  'sn cov95',
];
const rows = results.map(({ s, r }) => [
  `${short(s.family)}: ${truncate(s.label, 38)}${s.label === s.key ? '' : ` [${s.key}]`}`,
  String(s.points.length),
  (s.total / Math.max(s.points.length, 1)).toFixed(2),
  r ? describe(r) : 'too short',
  ...accuracyCells(r?.model),
  ...accuracyCells(r?.baseline),
]);
process.stdout.write(`${table([header, ...rows])}\n\n`);
const wins = results.filter(({ r }) => r && r.model.mae < r.baseline.mae).length;
process.stdout.write(
  `model MAE below the baseline's on ${wins} of ${results.length} series\n` +
    `generate + derive series: ${generateSeconds} s; backtests: ${backtestSeconds} s\n`,
);

function tryBacktest(s: NamedSeries): BacktestResult | null {
  try {
    return backtest(s.points, testOpts);
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
}

/** The model at the latest origin: method, K, and AR(1) errors if chosen. */
function describe(r: BacktestResult): string {
  const k = r.fit?.harmonics ? ` K=${r.fit.harmonics}` : '';
  const ar = r.fit?.ar1 == null ? '' : ' AR(1)';
  return `${r.method}${k}${ar}`;
}

function accuracyCells(a: Accuracy | undefined): string[] {
  if (!a) return ['', '', '', '', ''];
  return [
    a.mae.toFixed(2),
    a.rmse.toFixed(2),
    a.mase === null ? 'n/a' : a.mase.toFixed(3),
    a.coverage80.toFixed(2),
    a.coverage95.toFixed(2),
  ];
}

function short(family: NamedSeries['family']): string {
  switch (family) {
    case 'admissions-by-region':
      return 'admissions ZIP3';
    case 'ambulatory-by-type':
      return 'ambulatory';
    case 'medication-requests-by-drug':
      return 'med requests';
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Columns padded to their widest cell; text left, numbers right. */
function table(cells: string[][]): string {
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((row) => row[j]!.length)));
  return cells
    .map((row) =>
      row
        .map((c, j) => (j === 0 || j === 3 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!)))
        .join('  '),
    )
    .join('\n');
}
