import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import type { Config } from '../config/index.js';

const DEV_FILE = 'metrics.token';
const MIN_LENGTH = 24;

function readToken(file: string): string {
  const token = fs.readFileSync(file, 'utf8').trim();
  if (token.length < MIN_LENGTH || /\s/.test(token))
    throw new Error(
      `${file}: the metrics token must be one word of at least ${MIN_LENGTH} characters`,
    );
  return token;
}

/**
 * The bearer credential `/metrics` requires: METRICS_TOKEN_FILE, or outside
 * NODE_ENV=production one generated once per data directory
 * (`<DATA_DIR>/keys/metrics.token`, mode 0600). Under NODE_ENV=production
 * without the file: undefined, and `/metrics` is not served at all.
 */
export function metricsTokenOf(config: Config): string | undefined {
  if (config.METRICS_TOKEN_FILE) return readToken(config.METRICS_TOKEN_FILE);
  if (config.NODE_ENV === 'production') return undefined;
  const file = path.join(config.keysDir, DEV_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.keysDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (err) {
      // Another service of this data directory wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readToken(file);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Lets through only `Authorization: Bearer <token>` (compared in constant time); 401 otherwise. */
export function requireMetricsToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const given = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (given && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    res.status(401).json({ error: 'metrics require the operator credential (METRICS_TOKEN_FILE)' });
  };
}
