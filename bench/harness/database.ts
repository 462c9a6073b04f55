import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../platform/db/embedded.js';
import { childPids, cpuMs } from './procs.js';

/** The bench's PostgreSQL: its superuser URL, whether statements can be counted, and its CPU. */
export interface BenchDatabase {
  adminUrl: string;
  /** pg_stat_statements is loaded: statement counts per role are real. */
  countsStatements: boolean;
  /** CPU ms of the server and all its backends so far (embedded server only, else NaN). */
  cpuMs(): number;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL, or an embedded server on `dataDir` restarted once with
 * `shared_preload_libraries = pg_stat_statements` (the embedded binaries ship
 * the module), so every top-level statement a client sends is counted per
 * login role. On an external server the extension is used when it is loaded.
 */
export async function startBenchDatabase(
  dataDir: string,
  externalUrl: string | undefined,
): Promise<BenchDatabase> {
  let adminUrl = externalUrl;
  let stopServer = async () => {};
  let postmaster: number | undefined;
  if (!adminUrl) {
    const first = await startEmbeddedPostgres({ dataDir, port: 55400, quiet: true });
    await sql(first.adminUrl, [
      "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'",
      'ALTER SYSTEM SET pg_stat_statements.max = 20000',
      "ALTER SYSTEM SET pg_stat_statements.track = 'top'",
      'ALTER SYSTEM SET max_connections = 300',
    ]);
    await first.stop();
    const db = await startEmbeddedPostgres({ dataDir, port: 55400, quiet: true });
    adminUrl = db.adminUrl;
    stopServer = () => db.stop();
    postmaster = Number(
      fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
  }
  const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
  let countsStatements = true;
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
  } catch {
    countsStatements = false;
  }
  return {
    adminUrl,
    countsStatements,
    cpuMs: () =>
      postmaster === undefined
        ? NaN
        : cpuMs(postmaster, true) + childPids(postmaster).reduce((s, p) => s + cpuMs(p), 0),
    query: async <T extends pg.QueryResultRow>(text: string, params?: unknown[]) =>
      (await pool.query<T>(text, params)).rows,
    stop: async () => {
      await pool.end();
      await stopServer();
    },
  };
}

async function sql(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

/** Statements executed so far by the login roles matching `rolePattern` (SQL LIKE). */
export async function statementsBy(db: BenchDatabase, rolePattern: string): Promise<number> {
  if (!db.countsStatements) return NaN;
  const [row] = await db.query<{ n: string | null }>(
    `SELECT sum(s.calls)::text AS n FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
      WHERE r.rolname LIKE $1`,
    [rolePattern],
  );
  return Number(row?.n ?? 0);
}

/** Rows in the audit log. */
export async function auditRows(db: BenchDatabase): Promise<number> {
  const [row] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM audit.entry');
  return Number(row?.n ?? 0);
}
