import pg from 'pg';
import { WORKER_SCHEMA } from './schema-sql.js';

/**
 * Waits until no job of `tasks` is left to run (queued or being retried),
 * polling every 50 ms, for at most `timeoutMs`. Returns whether the queue
 * settled: the caller decides whether a timeout is an error (a job that keeps
 * failing stays queued until its attempts run out).
 */
export async function waitForTasks(
  connectionString: string,
  tasks: readonly string[],
  timeoutMs = 15_000,
): Promise<boolean> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${WORKER_SCHEMA}._private_jobs j
           JOIN ${WORKER_SCHEMA}._private_tasks t ON t.id = j.task_id
          WHERE t.identifier = ANY($1::text[]) AND j.attempts < j.max_attempts`,
        [[...tasks]],
      );
      if (rows[0]!.n === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.end();
  }
}
