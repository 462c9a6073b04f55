import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config/index.js';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { freePort, startEmbeddedPostgres } from '../../platform/db/embedded.js';
import { explicitRolePasswords, subgraphLoginUrl } from '../../platform/db/provision.js';
import { superuserSecretFile } from '../../platform/db/embedded-secret.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 11, the audit and operations items: each test replays the
 * assessment's reproduction against the real stack, database and CLIs.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Runs a package script's file as an operator would; resolves with its exit code and output. */
function run(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', script, ...args],
      { cwd: ROOT, env, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('on the test stack', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack('hardening_audit', { AUDIT_HEAD_INTERVAL: '2' });
  });
  afterAll(() => t?.stop());

  it('#27 a request that gets no database connection in time is a retryable SERVICE_UNAVAILABLE', async () => {
    const PAYMENTS = /* GraphQL */ `
      query ($id: ID!, $after: String) {
        patient(id: $id) {
          payments(first: 2, after: $after) {
            edges {
              cursor
            }
          }
        }
      }
    `;
    const token = await t.token('billing');
    const id = t.demo.patientId;
    expect((await t.gql(token, PAYMENTS, { id })).errors).toBeUndefined();

    // A slow machine, forced: every connection of billing's pool is busy, and the wait for
    // one ends before any frees up.
    const client = t.stack.subgraph('billing').orm.em.getConnection().getKnex().client as {
      pool: { max: number; acquireTimeoutMillis: number };
      acquireConnection(): Promise<unknown>;
      releaseConnection(c: unknown): Promise<unknown>;
    };
    const held: unknown[] = [];
    client.pool.acquireTimeoutMillis = 300;
    try {
      for (let i = 0; i < client.pool.max; i++) held.push(await client.acquireConnection());
      const busy = await t.gql(token, PAYMENTS, { id });
      expect(busy.errors?.map((e) => e.extensions)).toMatchObject([
        { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 },
      ]);
      expect(busy.errors![0]!.message).toBe('The service is busy; retry the request in a moment');
      // Bad input is still bad input: the cursor is refused before any connection is needed.
      const bad = await t.gql(token, PAYMENTS, { id, after: 'not-a-cursor' });
      expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    } finally {
      for (const c of held) await client.releaseConnection(c);
      client.pool.acquireTimeoutMillis = 60_000;
    }
    // Retried once the pool has room: it succeeds.
    expect((await t.gql(token, PAYMENTS, { id })).errors).toBeUndefined();
  });

  // The operator's environment: the same signing interval as the stack's.
  const verify = (extra: string[] = []) =>
    run(
      'scripts/audit-verify.ts',
      [
        '--url',
        t.db.url,
        '--heads',
        t.stack.heads.headsFile,
        '--public-key',
        t.stack.heads.publicKeyFile,
        ...extra,
      ],
      { ...process.env, AUDIT_HEAD_INTERVAL: '2' },
    );

  it('#10 fails audit:verify after the newest entries and the last 3 heads are removed', async () => {
    const token = await t.token('admin');
    const READ = /* GraphQL */ `
      query ($id: ID!) {
        patient(id: $id) {
          id
        }
      }
    `;
    const activity = async () => {
      for (const id of [t.demo.patientId, t.demo.otherPatientId])
        expect((await t.gql(token, READ, { id })).errors).toBeUndefined();
      await t.stack.heads.signNow();
    };
    await activity();
    const before = await verify(['--max-head-age', '60']);
    expect(before.out).toContain('audit log intact');
    expect(before.code).toBe(0);

    // Activity between heads, as a running service produces it, until the last 3 heads
    // name batches that the heads before them do not (a head's seq is its newest batch).
    const seqOf = (line: string) => (JSON.parse(line) as { seq: number }).seq;
    let lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      await activity();
      lines = fs.readFileSync(t.stack.heads.headsFile, 'utf8').trimEnd().split('\n');
      if (i >= 2 && seqOf(lines[lines.length - 4]!) < seqOf(lines[lines.length - 1]!)) break;
    }
    // The attack: as superuser (triggers off, the sealer held off by its own lock) delete the
    // newest entries with the seals and batches that hold them, and any still queued, and cut
    // the heads that named those batches from the heads file, so what is left is an intact but
    // older prefix.
    const kept = lines.slice(0, -3);
    const keptBatch = seqOf(kept[kept.length - 1]!);
    const admin = new pg.Client(t.db.url);
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('SELECT pg_advisory_xact_lock(7201, 2)');
      await admin.query('SET LOCAL session_replication_role = replica');
      const del = await admin.query(
        'DELETE FROM audit.sealed e USING audit.seal s WHERE s.seq = e.seq AND s.batch > $1',
        [keptBatch],
      );
      expect(del.rowCount).toBeGreaterThan(0);
      await admin.query('DELETE FROM audit.intake');
      await admin.query('DELETE FROM audit.seal WHERE batch > $1', [keptBatch]);
      const batches = await admin.query('DELETE FROM audit.batch WHERE batch > $1', [keptBatch]);
      expect(batches.rowCount).toBeGreaterThan(0);
      await admin.query('COMMIT');
    } finally {
      await admin.end();
    }
    expect(await t.sql('SELECT seq FROM audit.head()')).toEqual([{ seq: String(keptBatch) }]);
    fs.writeFileSync(t.stack.heads.headsFile, `${kept.join('\n')}\n`);

    // The signer notices its file was cut and stops signing rather than vouch for the cut
    // log; two intervals (4 s) after the newest head it kept, that head is too old to pass.
    const keptAt = Date.parse(
      (JSON.parse(kept[kept.length - 1]!) as { signedAt: string }).signedAt,
    );
    const deadline = Date.now() + 30_000;
    while (!t.logs().includes('audit heads: signing halted') || Date.now() - keptAt < 4500) {
      if (Date.now() > deadline) throw new Error('the head signer never halted');
      await sleep(100);
    }
    expect(fs.readFileSync(t.stack.heads.headsFile, 'utf8').trimEnd().split('\n')).toEqual(kept);
    const after = await verify();
    expect(after.out).toMatch(/audit log BROKEN: newest signed head \(.*\) is \d+ s old/);
    expect(after.code).toBe(1);
  });
});

describe('#10 npm start signs a head when it starts and when it stops', () => {
  const dataDir = path.join(ROOT, '.data', `hardening-start-${process.pid}`);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('#10 audit:verify passes right after a short npm start', async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(await freePort(16000 + (process.pid % 500))),
      SUBGRAPH_PORT_BASE: String(await freePort(16600 + (process.pid % 500))),
      EMBEDDED_PG_PORT: String(await freePort(17200 + (process.pid % 500))),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.NODE_ENV;
    delete env.AUDIT_HEADS_FILE;
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'scripts/start.ts'],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 150_000;
    while (!/^payer \S+$/m.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`npm start did not come up:\n${output}`);
      await sleep(200);
    }
    // Ctrl-C in a terminal: the whole process group, PostgreSQL included.
    process.kill(-child.pid!, 'SIGINT');
    await exited;

    const heads = fs
      .readFileSync(path.join(dataDir, 'audit', 'heads.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(heads[0]!.event).toBe('start');
    expect(heads[heads.length - 1]!.event).toBe('stop');

    // Whatever the stop could not seal before PostgreSQL went down waits for the next start.
    const { code, out } = await run('scripts/audit-verify.ts', [], env);
    expect(out).toMatch(
      /audit log intact: \d+ sealed entries in \d+ signed batches, \d+ waiting to be sealed \(\d+ signed heads checked\)/,
    );
    expect(code).toBe(0);
  }, 240_000);
});

describe('#19 embedded superuser password', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const d = path.join(ROOT, '.data', 'hardening-pg', randomBytes(4).toString('hex'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);
  const canLogIn = async (port: number, password: string) => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password });
    try {
      await c.connect();
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  };

  it('#19 generates one per data directory, stores it 0600, reuses it, and replaces the old constant', async () => {
    const dir = freshDir();
    const first = await startEmbeddedPostgres({ dataDir: dir, port: 25432, quiet: true });
    const password = passwordOf(first.adminUrl);
    try {
      expect(password).not.toBe('carefed-embedded');
      expect(password.length).toBeGreaterThanOrEqual(40);
      expect(fs.statSync(superuserSecretFile(dir)).mode & 0o777).toBe(0o600);
      expect(await canLogIn(first.port, 'carefed-embedded')).toBe(false);
      expect(await canLogIn(first.port, password)).toBe(true);
    } finally {
      await first.stop();
    }

    // Restarted on the same data: the same password.
    const again = await startEmbeddedPostgres({ dataDir: dir, port: 25432, quiet: true });
    try {
      expect(passwordOf(again.adminUrl)).toBe(password);
      // A data directory set up before this change: the constant, and no password file.
      const c = new pg.Client(again.adminUrl);
      await c.connect();
      await c.query("ALTER ROLE postgres PASSWORD 'carefed-embedded'");
      await c.end();
    } finally {
      await again.stop();
    }
    fs.rmSync(superuserSecretFile(dir));

    const upgraded = await startEmbeddedPostgres({ dataDir: dir, port: 25432, quiet: true });
    try {
      const fresh = passwordOf(upgraded.adminUrl);
      expect(fresh).not.toBe('carefed-embedded');
      expect(fresh).not.toBe(password);
      expect(await canLogIn(upgraded.port, 'carefed-embedded')).toBe(false);
      expect(await canLogIn(upgraded.port, fresh)).toBe(true);
    } finally {
      await upgraded.stop();
    }

    // Another data directory: another password.
    const other = await startEmbeddedPostgres({ dataDir: freshDir(), port: 25432, quiet: true });
    try {
      expect(passwordOf(other.adminUrl)).not.toBe(passwordOf(upgraded.adminUrl));
    } finally {
      await other.stop();
    }
  }, 120_000);
});

describe('#25 per-subgraph secrets', () => {
  it('#25 each subgraph reads its own keys and login from secret files', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, '.data', 'hardening-secrets-'));
    try {
      const key = () => randomBytes(32).toString('base64');
      for (const schema of ['patient', 'billing']) {
        fs.writeFileSync(path.join(dir, `${schema}-kek`), key());
        fs.writeFileSync(path.join(dir, `${schema}-index-key`), key());
        fs.writeFileSync(path.join(dir, `${schema}-db-password`), `${schema}-pw\n`);
      }
      // The provisioning job: every subgraph's secrets in one directory, nothing in the environment.
      const jobs = loadConfig({ NODE_ENV: 'production', CAREFED_SECRETS_DIR: dir });
      const patient = loadServiceKeys(jobs, 'patient');
      const billing = loadServiceKeys(jobs, 'billing');
      expect(patient.kek.equals(billing.kek)).toBe(false);
      expect(patient.indexKey.equals(billing.indexKey)).toBe(false);
      expect(explicitRolePasswords(jobs, ['patient', 'billing'])).toEqual({
        patient: 'patient-pw',
        billing: 'billing-pw',
      });
      // A subgraph's container: its own files under fixed names, a URL with no password.
      const one = loadConfig({
        NODE_ENV: 'production',
        CAREFED_KEK_FILE: path.join(dir, 'billing-kek'),
        SUBGRAPH_DATABASE_URL: 'postgres://carefed_billing@postgres:5432/carefed',
        SUBGRAPH_DATABASE_PASSWORD_FILE: path.join(dir, 'billing-db-password'),
      });
      expect(loadServiceKeys(one, 'billing').kek.equals(billing.kek)).toBe(true);
      // No role key is configured, and none is needed.
      expect(subgraphLoginUrl(one, 'billing', () => loadServiceKeys(one).dbRoleKey)).toBe(
        'postgres://carefed_billing:billing-pw@postgres:5432/carefed',
      );
      expect(() => loadServiceKeys(one).dbRoleKey).toThrow(/CAREFED_DB_ROLE_KEY is not set/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
