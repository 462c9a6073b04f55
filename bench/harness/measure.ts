import autocannon from 'autocannon';
import type { BenchCase } from '../cases.js';
import type { ProcessStack } from './carefed.js';
import { auditRows, statementsBy, type BenchDatabase } from './database.js';
import type { Fixtures } from './fixtures.js';
import { cpuMs } from './procs.js';

/** The sums of one or more rounds of one case on one stack. */
export interface Tally {
  requests: number;
  errors: number;
  seconds: number;
  p50: number[];
  p99: number[];
  cpuMs: number;
  dbCpuMs: number;
  statements: number;
  auditRows: number;
}

export const emptyTally = (): Tally => ({
  requests: 0,
  errors: 0,
  seconds: 0,
  p50: [],
  p99: [],
  cpuMs: 0,
  dbCpuMs: 0,
  statements: 0,
  auditRows: 0,
});

const stackCpu = (s: ProcessStack) => s.services.reduce((sum, p) => sum + cpuMs(p.pid), 0);

/**
 * One round: `seconds` of autocannon at `connections` against the stack's
 * gateway, with the stack's process CPU, the database's CPU, the statements
 * of the stack's login roles and the audit log's row count read before and
 * after. A response carrying GraphQL `errors` counts as an error.
 */
export async function round(
  c: BenchCase,
  stack: ProcessStack,
  db: BenchDatabase,
  f: Fixtures,
  opts: { connections: number; seconds: number; tag: string },
  into: Tally,
): Promise<void> {
  let errors = 0;
  const requests = c.requests(f, opts.tag).map((r): autocannon.Request => {
    const own = r.onResponse;
    return {
      ...r,
      onResponse: (status, body, ctx, headers) => {
        if (status !== 200 || body.includes('"errors"')) errors++;
        if (typeof own === 'function') own(status, body, ctx, headers);
      },
    };
  });
  await settle(db);
  const before = {
    cpu: stackCpu(stack),
    db: db.cpuMs(),
    sql: await statementsBy(db, stack.rolePattern),
    audit: await auditRows(db),
  };
  const r = await autocannon({
    url: stack.gatewayUrl,
    connections: opts.connections,
    duration: opts.seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${f.tokens[c.token]}` },
    requests,
  });
  // Requests autocannon gave up on at the bell still run in the stack: let them finish.
  await settle(db);
  into.requests += r.requests.total;
  into.errors += errors;
  into.seconds += opts.seconds;
  into.p50.push(r.latency.p50);
  into.p99.push(r.latency.p99);
  into.cpuMs += stackCpu(stack) - before.cpu;
  into.dbCpuMs += db.cpuMs() - before.db;
  into.statements += (await statementsBy(db, stack.rolePattern)) - before.sql;
  into.auditRows += (await auditRows(db)) - before.audit;
  await c.cleanup?.(db, f);
}

/**
 * Waits (at most 15 s) until the audit log stands still for 300 ms with no
 * statement running (the event workers' idle polling is not work in flight).
 */
async function settle(db: BenchDatabase): Promise<void> {
  const mark = async () => {
    const [a] = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_stat_activity
        WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    return `${await auditRows(db)}:${a?.n === '0' ? 'idle' : Math.random()}`;
  };
  let last = await mark();
  for (const until = Date.now() + 15_000; Date.now() < until;) {
    await new Promise((res) => setTimeout(res, 300));
    const now = await mark();
    if (now === last) return;
    last = now;
  }
}
