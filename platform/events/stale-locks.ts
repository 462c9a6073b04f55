import type pg from 'pg';
import type { Logger } from 'pino';

import { WORKER_SCHEMA } from './schema-sql.js';

/**
 * graphile-worker releases a dead worker's jobs only after four hours (fixed in
 * its SQL), or when told the dead worker's id, which died with it. We release
 * this service's own jobs locked longer than `staleAfterMs` instead: at start
 * and then periodically. Releasing a job that is in fact still running is
 * safe: the second delivery blocks on the first's uncommitted inbox claim and
 * then skips, and graphile-worker's fail/complete of the first is harmless.
 * So the threshold trades redelivery latency against redundant work, never
 * correctness. Plain jobs (jobs.ts) have no inbox: their handlers must
 * tolerate such a second run.
 */
export function staleLockSweeper(
  pool: pg.Pool,
  tasks: string[],
  staleAfterMs: number,
  log: Logger,
) {
  let timer: NodeJS.Timeout | undefined;
  const sweep = async (): Promise<void> => {
    const { rowCount } = await pool.query(
      `UPDATE ${WORKER_SCHEMA}._private_jobs
       SET locked_at = NULL, locked_by = NULL
       WHERE locked_at < now() - make_interval(secs => $1::double precision / 1000)
         AND task_id IN (SELECT id FROM ${WORKER_SCHEMA}._private_tasks WHERE identifier = ANY($2::text[]))`,
      [staleAfterMs, tasks],
    );
    if (rowCount) log.warn({ released: rowCount }, 'released jobs locked by a dead worker');
  };
  const every = Math.max(1000, Math.min(staleAfterMs / 2, 60_000));
  return {
    sweep,
    start: () => {
      timer = setInterval(() => {
        sweep().catch((err: unknown) =>
          log.error(
            { err: err instanceof Error ? err.message : String(err) },
            'stale lock sweep failed',
          ),
        );
      }, every);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}
