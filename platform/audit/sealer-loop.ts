import type { KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';

import { sealPending, SEAL_MAX_ENTRIES, type SealResult } from './sealer.js';

/** The running sealer. */
export interface Sealer {
  /** Seals everything queued now (after any run in progress). */
  sealNow(): Promise<SealResult>;
  /** Stops the timer and seals what is left. */
  stop(): Promise<void>;
}

/** Months of partitions kept ready ahead of the current one. */
const PARTITION_MONTHS_AHEAD = 3;
const PARTITION_CHECK_MS = 3_600_000;

/**
 * Seals queued audit entries every `intervalMs` (so an entry waits at most
 * about one interval, plus the run, to be sealed) and keeps the monthly
 * partitions created ahead. Runs never overlap in this process, and the
 * advisory lock in sealPending keeps sealers in other processes apart.
 */
export async function startSealer(opts: {
  em: () => EntityManager;
  key: KeyObject;
  intervalMs: number;
  log: Logger;
}): Promise<Sealer> {
  let running: Promise<SealResult> = Promise.resolve({ batches: 0, entries: 0, busy: false });
  let partitionsCheckedAt = 0;
  const runOnce = async (): Promise<SealResult> => {
    if (Date.now() - partitionsCheckedAt > PARTITION_CHECK_MS) {
      await opts.em().execute('SELECT audit.ensure_partitions(?)', [PARTITION_MONTHS_AHEAD]);
      partitionsCheckedAt = Date.now();
    }
    const total: SealResult = { batches: 0, entries: 0, busy: false };
    // A full run means more is queued: keep going until the queue is drained.
    for (;;) {
      const r = await sealPending(opts.em(), { key: opts.key });
      total.batches += r.batches;
      total.entries += r.entries;
      total.busy ||= r.busy;
      if (r.busy || r.entries < SEAL_MAX_ENTRIES) return total;
    }
  };
  const sealNow = () => {
    const run = running.catch(() => undefined).then(runOnce);
    running = run;
    return run;
  };
  await sealNow().catch((err: Error) =>
    opts.log.error({ err: err.message }, 'audit sealing failed'),
  );
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    sealNow()
      .catch((err: Error) => opts.log.error({ err: err.message }, 'audit sealing failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs).unref();
      });
  };
  let timer = setTimeout(tick, opts.intervalMs).unref();
  return {
    sealNow,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await sealNow();
    },
  };
}
