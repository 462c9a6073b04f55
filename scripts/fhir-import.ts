import { loadConfig } from '../platform/config/index.js';
import { tokenCli } from '../platform/identity/token-cli.js';
import {
  ImportUsageError,
  parseImportArgs,
  runImport,
} from '../subgraphs/fhir-adapter/import/import-cli.js';

// Imports a folder of FHIR NDJSON through the running stack: `npm run fhir:import -- <folder>`.
const config = loadConfig();
try {
  const opts = parseImportArgs(
    process.argv.slice(2),
    `http://127.0.0.1:${config.GATEWAY_PORT}/graphql`,
  );
  // Outside production, an administrator's development token (as `npm run token -- --role admin`).
  const token =
    opts.token ??
    process.env.FHIR_IMPORT_TOKEN ??
    (config.production ? undefined : await tokenCli(['--role', 'admin'], config));
  if (!token)
    throw new ImportUsageError(
      'Pass --token or set FHIR_IMPORT_TOKEN (an admin or a system client)',
    );
  const reports = await runImport({ ...opts, token }, (file, progress) =>
    process.stderr.write(`${file}: ${progress}\n`),
  );
  let failed = 0;
  for (const r of reports) {
    const issues = r.errors.issue?.length ?? 0;
    failed += issues;
    process.stdout.write(
      `${JSON.stringify({ file: r.file, status: r.status, ...r.report, errors: issues })}\n`,
    );
  }
  for (const r of reports)
    for (const i of (r.errors.issue ?? []).slice(0, 20))
      process.stdout.write(`  ${JSON.stringify(i)}\n`);
  process.exitCode = failed ? 1 : 0;
} catch (err) {
  process.stderr.write(`${err instanceof ImportUsageError ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
