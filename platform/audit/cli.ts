import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import pg from 'pg';

import { loadConfig, type Config } from '../config/index.js';
import { auditPaths } from './head-signer.js';
import { verifyAuditChain } from './verify.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

const USAGE =
  'usage: npm run audit:verify -- [--url <admin database URL>] [--heads <heads.jsonl>] ' +
  '[--public-key <public JWK file>] [--max-head-age <seconds>] [--stopped] [--skip-heads]';

/** Seconds, as given on the command line; throws on anything else. */
function seconds(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text))
    throw new Error(`--max-head-age: not a whole number of seconds`);
  return Number(text);
}

/**
 * The `audit:verify` command: proves the audit chain intact against the signed
 * heads. Returns the exit code: 0 intact, 1 broken, 2 could not verify
 * (usage, configuration, missing key or database unreachable).
 */
export async function runAuditVerify(args: string[], io: CliIo = consoleIo): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        heads: { type: 'string' },
        'public-key': { type: 'string' },
        'skip-heads': { type: 'boolean', default: false },
        'max-head-age': { type: 'string' },
        stopped: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.out(USAGE);
    return 0;
  }
  // Config only when a default is needed, so explicit flags work with any environment.
  let config: Config | undefined;
  const cfg = (): Config => (config ??= loadConfig());
  try {
    const url = opts.url ?? cfg().DATABASE_URL;
    if (!url) {
      io.err(
        'No database URL: start the embedded database (npm start) and pass its admin URL with ' +
          '--url, or set DATABASE_URL. The verifier needs the audit owner or a superuser.',
      );
      return 2;
    }
    const skip = opts['skip-heads'];
    const headsFile = skip ? undefined : (opts.heads ?? auditPaths(cfg()).headsFile);
    const keyFile = skip ? undefined : (opts['public-key'] ?? auditPaths(cfg()).publicKeyFile);
    const publicJwk = keyFile ? (JSON.parse(await fs.readFile(keyFile, 'utf8')) as JWK) : undefined;
    // A head is signed every AUDIT_HEAD_INTERVAL seconds: one older than two intervals is missing ones.
    const maxAge = skip
      ? undefined
      : opts['max-head-age']
        ? seconds(opts['max-head-age'])
        : 2 * cfg().AUDIT_HEAD_INTERVAL;

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const result = await verifyAuditChain(client, {
        headsFile,
        publicJwk,
        maxHeadAgeMs: maxAge && maxAge * 1000,
        // An entry waits at most a seal interval; one older than the head age limit was never sealed.
        maxSealLagMs: maxAge && maxAge * 1000,
        acceptStopped: opts.stopped,
      });
      if (result.ok) {
        io.out(
          `audit log intact: ${result.entries} sealed entries in ${result.batches} signed batches, ` +
            `${result.pending} waiting to be sealed` +
            (skip
              ? ' (signed heads not checked)'
              : ` (${result.headsChecked} signed heads checked)`),
        );
        return 0;
      }
      const at = result.firstBadSeq > 0 ? ` at seq ${result.firstBadSeq}` : '';
      io.out(`audit log BROKEN${at}: ${result.reason}`);
      return 1;
    } finally {
      await client.end();
    }
  } catch (err) {
    io.err(`audit verification could not run: ${(err as Error).message}`);
    return 2;
  }
}
