import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { HeadLog, type ChainTip, type HeadEvent } from './head-log.js';
import { generateAuditSigningKey, publicAuditKey, readChainTip } from './heads.js';
import { startSealer } from './sealer-loop.js';

/** Sealing of the audit log into signed batches, and periodic signing of its head. */
export interface HeadSigner {
  /** Seals what is queued, then signs the current head. */
  signNow(): Promise<void>;
  headsFile: string;
  publicKeyFile: string;
  /** Stops the timer and signs a stop head. */
  stop(): Promise<void>;
}

/**
 * Where heads and the audit keys live by default: under DATA_DIR, apart from
 * the database's own files (DATA_DIR/pg), which the PostgreSQL server's OS
 * user owns. Production points AUDIT_HEADS_FILE at write-once storage.
 */
export function auditPaths(
  config: Pick<Config, 'AUDIT_HEADS_FILE' | 'AUDIT_SIGNING_KEY_FILE' | 'dataDir' | 'keysDir'>,
) {
  return {
    headsFile: config.AUDIT_HEADS_FILE ?? path.join(config.dataDir, 'audit', 'heads.jsonl'),
    privateKeyFile:
      config.AUDIT_SIGNING_KEY_FILE ?? path.join(config.keysDir, 'audit-signing.jwk.json'),
    publicKeyFile: path.join(config.keysDir, 'audit-signing.pub.jwk.json'),
  };
}

async function loadSigningKey(config: Config, file: string, publicFile: string): Promise<JWK> {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  if (config.NODE_ENV === 'production')
    throw new Error(
      `AUDIT_SIGNING_KEY_FILE is not set or missing: the audit chain heads need a signing key`,
    );
  const jwk = await generateAuditSigningKey();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicFile, JSON.stringify(publicAuditKey(jwk)), { mode: 0o644 });
  return jwk;
}

/** The heads must not sit among the database's own files, which its server (and superuser) can write. */
function refuseDatabaseDir(headsFile: string, dataDir: string): void {
  const rel = path.relative(path.join(dataDir, 'pg'), path.resolve(headsFile));
  if (!rel.startsWith('..') && !path.isAbsolute(rel))
    throw new Error(`AUDIT_HEADS_FILE ${headsFile} lies inside the database directory`);
}

const STOP_QUERY_MS = 2000;

/** `p`, or a rejection after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Signs the chain head when it starts, every AUDIT_HEAD_INTERVAL seconds, and
 * when it stops, with a key kept outside the database, so a truncated or
 * rewritten log no longer matches. The stop head is signed even when the
 * database is already gone (a terminal's Ctrl-C reaches PostgreSQL too): then
 * over the last tip it read, and, failing a clean stop, from the process's
 * `exit` handler. A heads file changed behind its back halts signing (logged
 * as an error), so verification then fails on a stale newest head.
 */
export async function startHeadSigner(opts: {
  config: Config;
  em: () => EntityManager;
  log: Logger;
}): Promise<HeadSigner> {
  const { headsFile, privateKeyFile, publicKeyFile } = auditPaths(opts.config);
  refuseDatabaseDir(headsFile, opts.config.dataDir);
  const privateJwk = await loadSigningKey(opts.config, privateKeyFile, publicKeyFile);
  if (!fs.existsSync(publicKeyFile)) {
    fs.mkdirSync(path.dirname(publicKeyFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(publicKeyFile, JSON.stringify(publicAuditKey(privateJwk)));
  }
  const heads = new HeadLog(headsFile, privateJwk);
  const sealer = await startSealer({
    em: opts.em,
    key: createPrivateKey({ key: privateJwk as Record<string, unknown>, format: 'jwk' }),
    intervalMs: opts.config.AUDIT_SEAL_INTERVAL_MS,
    log: opts.log,
  });
  let halted = false;
  let stopped = false;
  const write = (tip: ChainTip, event: HeadEvent) => {
    if (halted) throw new Error('audit head signing is halted');
    try {
      heads.append(tip, event);
    } catch (err) {
      halted = true;
      opts.log.error(
        { err: (err as Error).message, headsFile },
        'audit heads: signing halted; verify the audit log',
      );
      throw err;
    }
  };
  // Signings one at a time, so each line chains to the one before.
  let queue: Promise<void> = Promise.resolve();
  const signNow = (event: HeadEvent = 'periodic') => {
    const run = queue.then(async () => {
      await sealer.sealNow();
      write(await readChainTip(opts.em()), event);
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const onExit = () => {
    if (stopped || halted || !heads.lastSigned) return;
    stopped = true;
    try {
      write(heads.lastSigned, 'stop');
    } catch {
      // Logged by write; the process is ending.
    }
  };
  process.once('exit', onExit);

  // A failure is logged (and halts signing when it is tampering): the services still start.
  await signNow('start').catch((err: Error) =>
    opts.log.error({ err: err.message }, 'audit head signing failed'),
  );
  const timer = setInterval(() => {
    if (!halted)
      signNow().catch((err: Error) =>
        opts.log.error({ err: err.message }, 'audit head signing failed'),
      );
  }, opts.config.AUDIT_HEAD_INTERVAL * 1000);
  timer.unref();
  return {
    signNow: () => signNow(),
    headsFile,
    publicKeyFile,
    stop: async () => {
      clearInterval(timer);
      process.removeListener('exit', onExit);
      await within(sealer.stop(), STOP_QUERY_MS).catch(() => undefined);
      if (stopped || halted) return;
      stopped = true;
      await queue;
      const tip = await within(readChainTip(opts.em()), STOP_QUERY_MS).catch(
        () => heads.lastSigned,
      );
      if (tip) {
        try {
          write(tip, 'stop');
        } catch {
          // Logged by write.
        }
      }
    },
  };
}
