import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { generateAuditSigningKey, publicAuditKey, signHead } from './heads.js';

/** Periodic signing of the audit chain head. */
export interface HeadSigner {
  /** Signs the current head now (also done on stop). */
  signNow(): Promise<void>;
  headsFile: string;
  publicKeyFile: string;
  stop(): Promise<void>;
}

/** Where heads and the audit keys live by default: apart from the database, under DATA_DIR. */
export function auditPaths(config: Config) {
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

/**
 * Signs the chain head every AUDIT_HEAD_INTERVAL seconds with a key kept
 * outside the database, so a truncated or rewritten log no longer matches.
 */
export async function startHeadSigner(opts: {
  config: Config;
  em: () => EntityManager;
  log: Logger;
}): Promise<HeadSigner> {
  const { headsFile, privateKeyFile, publicKeyFile } = auditPaths(opts.config);
  const privateJwk = await loadSigningKey(opts.config, privateKeyFile, publicKeyFile);
  if (!fs.existsSync(publicKeyFile)) {
    fs.mkdirSync(path.dirname(publicKeyFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(publicKeyFile, JSON.stringify(publicAuditKey(privateJwk)));
  }
  const signNow = async () => {
    await signHead(opts.em(), { privateJwk, headsFile });
  };
  const timer = setInterval(() => {
    signNow().catch((err: Error) =>
      opts.log.error({ err: err.message }, 'audit head signing failed'),
    );
  }, opts.config.AUDIT_HEAD_INTERVAL * 1000);
  timer.unref();
  return {
    signNow,
    headsFile,
    publicKeyFile,
    stop: async () => {
      clearInterval(timer);
      await signNow().catch(() => undefined);
    },
  };
}
