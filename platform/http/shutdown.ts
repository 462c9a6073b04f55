import type { Logger } from 'pino';

/**
 * Graceful shutdown on SIGINT/SIGTERM: `stop` drains (readiness fails, in-flight
 * requests finish), then the process exits; a second signal exits at once.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'shutting down');
      stop()
        .then(() => process.exit(0))
        .catch((err: Error) => {
          log.error({ err: err.message }, 'shutdown failed');
          process.exit(1);
        });
    });
}
