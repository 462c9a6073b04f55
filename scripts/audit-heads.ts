import { startHeadSigner } from '../platform/audit/head-signer.js';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createOrm } from '../platform/db/orm.js';
import { subgraphLoginUrl } from '../platform/db/provision.js';
import { onShutdown } from '../platform/http/shutdown.js';
import { createLogger } from '../platform/log/index.js';

// `npm run audit:heads`: signs the audit chain head every AUDIT_HEAD_INTERVAL seconds, for
// deployments where services run apart (npm start does this in process). It needs only
// the audit functions every service role may execute (head, unsealed, record_batch,
// ensure_partitions): give it one role's login. It also seals the log every AUDIT_SEAL_INTERVAL_MS.
const config = loadConfig();
const log = createLogger({ name: 'audit-heads', level: config.LOG_LEVEL });
const url = subgraphLoginUrl(config, 'patient', () => loadServiceKeys(config).dbRoleKey);
if (!url) throw new Error('Set SUBGRAPH_DATABASE_URL (a service role login) or DATABASE_URL');
const orm = await createOrm({ url, schema: 'audit', entities: [], migrations: [] });
// Signs a start head at once, then every interval, and a stop head on shutdown.
const signer = await startHeadSigner({ config, em: () => orm.em.fork(), log });
log.info({ headsFile: signer.headsFile }, 'signing audit chain heads');
onShutdown(log, async () => {
  await signer.stop();
  await orm.close();
});
