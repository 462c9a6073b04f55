import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';

import { WORKER_SCHEMA, ident } from './schema-sql.js';
import { graphileLogger } from './worker-log.js';

const W = WORKER_SCHEMA;
// graphile-worker's private tables have row-level security enabled and no policies:
// a role that is neither their owner nor a superuser sees and writes no rows until
// a policy lets it in.
const RLS_TABLES = [
  '_private_jobs',
  '_private_tasks',
  '_private_job_queues',
  '_private_known_crontabs',
];

/**
 * Installs or upgrades graphile-worker's schema, as the superuser (or the
 * database owner). Idempotent; processes starting together take turns on an
 * advisory lock, since graphile-worker's own bootstrap (`CREATE SCHEMA IF NOT
 * EXISTS` and friends) can collide when run concurrently. Run it before
 * `grantEventsSql`, whose statements name its tables. `log` receives
 * graphile-worker's notes (e.g. a schema newer than this version knows).
 */
export async function installEventBackbone(adminUrl: string, log?: Logger): Promise<void> {
  const lock = new pg.Client(adminUrl);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', ['carefed:events:install']);
    await runMigrations({
      connectionString: adminUrl,
      ...(log ? { logger: graphileLogger(log) } : {}),
    });
  } finally {
    // Ending the session releases the lock too; unlocking first is just tidy.
    await lock.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await lock.end();
  }
}

/**
 * What a service role needs, run by the provisioner after
 * `installEventBackbone`: to enqueue (`graphile_worker.add_job` in its own
 * transactions; the functions run with the caller's rights, so the table
 * privileges are needed for that too) and to run a worker for its own tasks
 * (fetch, lock, complete and fail jobs; register task identifiers; read the
 * migration level and the cron bookkeeping at start). Idempotent.
 *
 * The queue is shared plumbing: every granted role can see every queued job.
 * That is acceptable because payloads carry ids and codes only (see
 * `EventEnvelope`); a tighter per-task policy would break `add_job`'s
 * `ON CONFLICT DO UPDATE` on another consumer's job key.
 */
export function grantEventsSql(role: string): string[] {
  const r = ident(role);
  const policies = RLS_TABLES.map(
    (t) => `DO $$ BEGIN
      CREATE POLICY ${r} ON ${W}.${t} FOR ALL TO ${r} USING (true) WITH CHECK (true);
    EXCEPTION WHEN duplicate_object THEN NULL;
    END $$`,
  );
  return [
    `GRANT USAGE ON SCHEMA ${W} TO ${r}`,
    `GRANT EXECUTE ON FUNCTION ${W}.add_job(text, json, text, timestamptz, integer, text, integer, text[], text),
      ${W}.add_jobs(${W}.job_spec[], boolean) TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${W}._private_jobs TO ${r}`,
    `GRANT SELECT, INSERT ON ${W}._private_tasks TO ${r}`,
    // FOR UPDATE on job queues (the worker's job fetch) needs UPDATE.
    `GRANT SELECT, INSERT, UPDATE ON ${W}._private_job_queues TO ${r}`,
    `GRANT SELECT ON ${W}._private_known_crontabs, ${W}.migrations TO ${r}`,
    // No sequence grants: the job, task and queue ids are identity columns, which need none.
    ...policies,
  ];
}
