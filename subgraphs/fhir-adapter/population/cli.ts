import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultOutDir, DEFAULT_UNTIL, type PopulationOptions } from './generate.js';
import { sharedDataDir } from './data-dir.js';

export const USAGE = `Usage: npm run population -- --patients N --seed S [--years Y] [--until ISO] [--out DIR] [--data DIR]

  --patients N  how many patients (1 to 10,000,000)
  --seed S      PRNG seed, an integer 0 to 4294967295; same seed and arguments, same bytes
  --years Y     years of history before --until (1 to 100, default 5)
  --until ISO   when the history ends (default 2026-01-01T00:00:00Z; never the current time)
  --out DIR     output folder (default .data/population/<N>-<seed>)
  --data DIR    the shared reference data (default ../shared/data beside the repository)`;

/** A bad command line: the message says what to fix; the script exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliOptions extends PopulationOptions {
  out: string;
  data: string;
}

function integer(name: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
  return n;
}

/** Parses and checks `npm run population` arguments; throws `UsageError`. */
export function parseCli(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        patients: { type: 'string' },
        seed: { type: 'string' },
        years: { type: 'string' },
        until: { type: 'string' },
        out: { type: 'string' },
        data: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const patients = integer('patients', values.patients, 1, 10_000_000);
  const seed = integer('seed', values.seed, 0, 4_294_967_295);
  const years = values.years === undefined ? 5 : integer('years', values.years, 1, 100);
  let until = DEFAULT_UNTIL;
  if (values.until !== undefined) {
    const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(values.until)
      ? Date.parse(values.until)
      : NaN;
    if (Number.isNaN(ms))
      throw new UsageError(`--until must be an ISO date or instant, not "${values.until}"`);
    until = Math.floor(ms / 1000);
  }
  return {
    patients,
    seed,
    years,
    until,
    out: values.out ? path.resolve(values.out) : defaultOutDir(patients, seed),
    data: values.data ? path.resolve(values.data) : sharedDataDir(),
  };
}
