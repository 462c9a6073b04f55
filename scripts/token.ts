import { loadConfig } from '../platform/config/index.js';
import { TokenCliError, tokenCli } from '../platform/identity/token-cli.js';

// Prints one signed dev token: `npm run token -- --role clinician`.
try {
  process.stdout.write(`${await tokenCli(process.argv.slice(2), loadConfig())}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof TokenCliError ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
