import { parseCli, USAGE, UsageError } from '../subgraphs/fhir-adapter/population/cli.js';
import { writePopulation } from '../subgraphs/fhir-adapter/population/generate.js';
import { loadReferenceData } from '../subgraphs/fhir-adapter/population/reference-data.js';

// Writes a synthetic FHIR population: `npm run population -- --patients 10000 --seed 1`.
// Prints one JSON line per resource type, then one with the totals.
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
try {
  const started = performance.now();
  const opts = parseCli(process.argv.slice(2));
  const ref = loadReferenceData(opts.data);
  const loadSeconds = (performance.now() - started) / 1000;
  const summary = await writePopulation(ref, opts, opts.out);
  for (const [type, count] of Object.entries(summary.counts)) print({ type, count });
  print({
    dir: summary.dir,
    patients: opts.patients,
    total: summary.total,
    perPatient: Math.round((summary.total / opts.patients) * 10) / 10,
    loadSeconds: Math.round(loadSeconds * 100) / 100,
    generateSeconds: Math.round(summary.seconds * 100) / 100,
  });
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
