import { runAuditVerify } from '../platform/audit/cli.js';

process.exitCode = await runAuditVerify(process.argv.slice(2));
