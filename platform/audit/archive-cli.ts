import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import pg from 'pg';

import { loadConfig, type Config } from '../config/index.js';
import { exportMonth, verifyArchive } from './archive.js';
import type { CliIo } from './cli.js';
import { auditPaths } from './head-signer.js';
import { monthsBefore } from './verify.js';

const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

const USAGE =
  'usage: npm run audit:archive -- --month <YYYY-MM> --out <file>   export a sealed month\n' +
  '       npm run audit:archive -- --check <file> [--check <file>…] [--public-key <JWK file>]\n' +
  '       npm run audit:archive -- --drop-expired   drop archived months past AUDIT_RETENTION_MONTHS\n' +
  '       [--url <admin database URL>] (export and drop connect as the audit owner or a superuser)';

/** The oldest month still kept: `months` before the current UTC month. */
export const retentionCutoff = monthsBefore;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The `audit:archive` command: exports a sealed month to a file, checks
 * exported files with the public key alone, or drops archived months past
 * retention. Returns the exit code: 0 done, 1 a file failed its check, 2 could not run.
 */
export async function runAuditArchive(args: string[], io: CliIo = consoleIo): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        month: { type: 'string' },
        out: { type: 'string' },
        check: { type: 'string', multiple: true },
        'public-key': { type: 'string' },
        'drop-expired': { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let config: Config | undefined;
  const cfg = (): Config => (config ??= loadConfig());
  try {
    if (opts.check?.length) {
      const keyFile = opts['public-key'] ?? auditPaths(cfg()).publicKeyFile;
      const key = JSON.parse(await fs.readFile(keyFile, 'utf8')) as JWK;
      const r = await verifyArchive(opts.check, key);
      if (!r.ok) {
        io.out(`audit archive BROKEN: ${r.reason}`);
        return 1;
      }
      io.out(
        `audit archive intact: ${r.months.join(', ')}: ${r.entries} entries in ${r.batches} signed batches`,
      );
      return 0;
    }
    const url = opts.url ?? cfg().DATABASE_URL;
    if (!url) {
      io.err(
        'No database URL: pass --url or set DATABASE_URL (npm scripts pass the embedded one).',
      );
      return 2;
    }
    if (opts.month && opts.out) {
      const s = await withClient(url, (c) => exportMonth(c, opts.month!, opts.out!));
      io.out(
        `exported ${s.month}: ${s.entries} entries in ${s.batches} batches to ${opts.out} (sha256 ${s.sha256})`,
      );
      return 0;
    }
    if (opts['drop-expired']) {
      const cutoff = retentionCutoff(new Date(), cfg().AUDIT_RETENTION_MONTHS);
      const dropped = await withClient(url, async (c) => {
        const { rows } = await c.query<{ month: string }>(
          'SELECT month FROM audit.archive WHERE dropped_at IS NULL AND month < $1 ORDER BY month',
          [cutoff],
        );
        for (const r of rows) await c.query('SELECT audit.drop_month($1)', [r.month]);
        return rows.map((r) => r.month);
      });
      io.out(
        dropped.length
          ? `dropped archived months before ${cutoff}: ${dropped.join(', ')}`
          : `no archived month before ${cutoff} to drop`,
      );
      return 0;
    }
    io.err(USAGE);
    return 2;
  } catch (err) {
    io.err(`audit:archive could not run: ${(err as Error).message}`);
    return 2;
  }
}
