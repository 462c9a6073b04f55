import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../platform/config/index.js';
import { startStack, type Stack } from '../scripts/stack.js';

/** A whole stack in this process on a data directory of its own, for a benchmark. */
export interface BenchStack {
  stack: Stack;
  /** POSTs a GraphQL query with a bearer token; resolves to the parsed body. */
  post(token: string, query: string): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Starts every subgraph and the gateway in this process on the embedded
 * database (or DATABASE_URL), seeded, logs silent, rate limits out of reach
 * of one benchmarking token. The data directory is removed on `stop()`
 * unless DATA_DIR named it.
 */
export async function startBenchStack(env: NodeJS.ProcessEnv = process.env): Promise<BenchStack> {
  const ownDataDir = env.DATA_DIR
    ? undefined
    : path.resolve('.data', `bench-${randomBytes(3).toString('hex')}`);
  const config = loadConfig({
    ...env,
    DATA_DIR: env.DATA_DIR ?? ownDataDir,
    LOG_LEVEL: 'silent',
    AUDIT_HEAD_INTERVAL: '3600',
    RATE_LIMIT_PER_CLIENT: '1000000000',
    RATE_LIMIT_PER_USER: '1000000000',
  });
  const stack = await startStack({ config, seed: true, ephemeralPorts: true });
  return {
    stack,
    async post(token, query) {
      const res = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      return res.json();
    },
    async stop() {
      await stack.stop();
      if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
}
