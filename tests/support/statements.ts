import { readCounter } from './metrics.js';
import type { TestStack } from './stack.js';

const STATEMENTS = 'carefed_db_statements_total';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function countsOf(t: TestStack, subgraphs: readonly string[]): Promise<number[]> {
  return Promise.all(subgraphs.map((s) => readCounter(t.stack.subgraph(s).url, STATEMENTS)));
}

/**
 * Waits until the subgraphs are idle: event workers (projections,
 * notifications, charges, heartbeats) run on the same counted connections,
 * so a count taken while they work would include their statements.
 */
export async function settle(t: TestStack, subgraphs: readonly string[]): Promise<void> {
  const until = Date.now() + 20_000;
  let last = (await countsOf(t, subgraphs)).join();
  while (Date.now() < until) {
    await sleep(300);
    const [{ n }] = (await t.sql<{ n: string }>(
      'select count(*) n from graphile_worker.jobs where run_at <= now() and attempts < max_attempts',
    )) as [{ n: string }];
    const now = (await countsOf(t, subgraphs)).join();
    if (Number(n) === 0 && now === last) return;
    last = now;
  }
  throw new Error(`${subgraphs.join(', ')} never went idle`);
}

/**
 * The SQL statements each subgraph sent while `run` ran (one GraphQL request
 * through the gateway), counted from their own `carefed_db_statements_total`
 * once they are idle. Background work can only add statements, so the
 * smallest of `tries` runs is the request's own cost.
 */
export async function statementsOf<T>(
  t: TestStack,
  subgraphs: readonly string[],
  run: () => Promise<T>,
  tries = 2,
): Promise<{ result: T; statements: Record<string, number> }> {
  let best: { result: T; statements: Record<string, number> } | undefined;
  for (let i = 0; i < tries; i++) {
    await settle(t, subgraphs);
    const before = await countsOf(t, subgraphs);
    const result = await run();
    const after = await countsOf(t, subgraphs);
    const statements = Object.fromEntries(subgraphs.map((s, j) => [s, after[j]! - before[j]!]));
    const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
    if (!best || total(statements) < total(best.statements)) best = { result, statements };
  }
  return best!;
}
