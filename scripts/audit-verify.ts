import { runAuditVerify } from '../platform/audit/cli.js';
import { loadConfig } from '../platform/config/index.js';
import { withAdminDatabase } from './cli-db.js';

// Without --url, verify the database `npm start` uses (embedded unless DATABASE_URL is set).
const args = process.argv.slice(2);
process.exitCode = args.includes('--url')
  ? await runAuditVerify(args)
  : await withAdminDatabase(loadConfig(), (url) => runAuditVerify([...args, '--url', url]));
