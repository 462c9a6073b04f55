import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exportMonth, verifyArchive } from './archive.js';
import { retentionCutoff, runAuditArchive } from './archive-cli.js';
import { canonicalPayload } from './entry.js';
import { generateAuditSigningKey, publicAuditKey } from './heads.js';
import { sealPending } from './sealer.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';
import { verifyAuditChain } from './verify.js';
import { appendAudit } from './writer.js';

describe('monthly partitions, export and retention', () => {
  let t: AuditTestDb;
  let orm: MikroORM;
  let dir: string;
  let privateJwk: JWK;
  let publicJwk: JWK;
  const seal = () =>
    sealPending(orm.em.fork(), {
      key: createPrivateKey({ key: privateJwk as Record<string, unknown>, format: 'jwk' }),
      maxBatch: 4,
    });

  beforeAll(async () => {
    t = await createAuditTestDb('audit_archive');
    orm = await t.serviceOrm();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carefed-archive-'));
    privateJwk = await generateAuditSigningKey();
    publicJwk = publicAuditKey(privateJwk);
    // January 2025 gets a partition of its own (as ensure_partitions made it then), and ten
    // entries logged in it; then six entries now.
    await t.admin.query(`CREATE TABLE audit.sealed_2019_01 PARTITION OF audit.sealed
      FOR VALUES FROM ('2019-01-01 00:00+00') TO ('2019-02-01 00:00+00')`);
    for (let n = 1; n <= 10; n++)
      await t.admin.query(`INSERT INTO audit.intake (payload, logged_at) VALUES ($1, $2)`, [
        canonicalPayload(sampleEntry(n)),
        `2019-01-15T12:00:${String(n).padStart(2, '0')}Z`,
      ]);
    await orm.em.fork().transactional((em) =>
      appendAudit(
        em,
        [11, 12, 13, 14, 15, 16].map((n) => sampleEntry(n)),
      ),
    );
    await seal();
  });
  afterAll(async () => {
    await orm.close();
    await t.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps the months ahead partitioned and every partition append-only', async () => {
    const { rows } = await t.admin.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit.sealed'::regclass ORDER BY 1`,
    );
    const thisMonth = new Date().toISOString().slice(0, 7).replace('-', '_');
    expect(rows.map((r) => r.name)).toContain(`sealed_${thisMonth}`);
    expect(rows.length).toBeGreaterThanOrEqual(6); // default, 2019-01, this month and 3 ahead
    await expect(t.admin.query(`TRUNCATE audit.sealed_${thisMonth}`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.admin.query('DELETE FROM audit.sealed_2019_01')).rejects.toThrow(/append-only/);
    // Batches never span months: January's ten entries are sealed apart from this month's.
    const { rows: batches } = await t.admin.query<{ month: string; n: string }>(
      'SELECT month, sum(size) AS n FROM audit.batch GROUP BY month ORDER BY month',
    );
    expect(batches.map((b) => [b.month, Number(b.n)])).toEqual([
      ['2019-01', 10],
      [new Date().toISOString().slice(0, 7), 6],
    ]);
  });

  it('exports a sealed month to a file that verifies on its own, and refuses the current month', async () => {
    const file = path.join(dir, '2019-01.jsonl');
    const summary = await exportMonth(t.admin, '2019-01', file);
    expect(summary).toMatchObject({ month: '2019-01', batches: 3, entries: 10 });
    expect(await verifyArchive([file], publicJwk)).toEqual({
      ok: true,
      months: ['2019-01'],
      batches: 3,
      entries: 10,
    });
    await expect(
      exportMonth(t.admin, new Date().toISOString().slice(0, 7), path.join(dir, 'now.jsonl')),
    ).rejects.toThrow(/is not over yet/);

    // One changed byte in an exported entry, or a batch left out, fails the check.
    const text = await fs.readFile(file, 'utf8');
    const edited = path.join(dir, 'edited.jsonl');
    await fs.writeFile(edited, text.replace('req-4', 'req-5'));
    expect(await verifyArchive([edited], publicJwk)).toEqual({
      ok: false,
      reason: `${edited}: batch 1 entries do not match its root`,
    });
    const lines = text.trimEnd().split('\n');
    const cut = path.join(dir, 'cut.jsonl');
    await fs.writeFile(cut, `${lines.slice(0, 1 + 5).join('\n')}\n`);
    expect(await verifyArchive([cut], publicJwk)).toMatchObject({
      ok: false,
      reason: `${cut}: holds other counts than its header names`,
    });
    const otherKey = publicAuditKey(await generateAuditSigningKey());
    expect(await verifyArchive([file], otherKey)).toMatchObject({
      ok: false,
      reason: `${file}: batch 1 is not the batch the log signed`,
    });
  });

  it('drops only an archived month, after which the log still verifies', async () => {
    await expect(t.admin.query("SELECT audit.drop_month('2018-12')")).rejects.toThrow(
      /not archived/,
    );
    // Six years at the least, whatever the caller asks.
    const recent = new Date().toISOString().slice(0, 7);
    await expect(t.admin.query('SELECT audit.drop_month($1)', [recent])).rejects.toThrow(
      /not six years old/,
    );
    const svc = orm.em.fork();
    await expect(svc.execute("SELECT audit.drop_month('2019-01')")).rejects.toThrow(
      /permission denied/,
    );
    await t.admin.query("SELECT audit.drop_month('2019-01')");
    const { rows } = await t.admin.query<{ n: string }>('SELECT count(*) AS n FROM audit.entry');
    expect(Number(rows[0]!.n)).toBe(6);
    expect(await verifyAuditChain(t.admin, { publicJwk })).toMatchObject({
      ok: true,
      entries: 6,
      batches: 5,
    });
  });

  it('audit:archive checks a file with the public key alone, and keeps seven years', async () => {
    const keyFile = path.join(dir, 'pub.jwk.json');
    await fs.writeFile(keyFile, JSON.stringify(publicJwk));
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const file = path.join(dir, '2019-01.jsonl');
    expect(await runAuditArchive(['--check', file, '--public-key', keyFile], io)).toBe(0);
    expect(lines.pop()).toBe('audit archive intact: 2019-01: 10 entries in 3 signed batches');
    expect(
      await runAuditArchive(
        ['--check', path.join(dir, 'edited.jsonl'), '--public-key', keyFile],
        io,
      ),
    ).toBe(1);
    expect(lines.pop()).toMatch(/^audit archive BROKEN: .*batch 1 entries do not match its root/);
    expect(retentionCutoff(new Date('2026-12-04T10:00:00Z'), 84)).toBe('2019-12');
  });

  it('a forged "dropped" record excuses no batch whose entries are still there', async () => {
    const month = new Date().toISOString().slice(0, 7);
    await t.tamper(
      `INSERT INTO audit.archive (month, first_batch, last_batch, entries, file_sha256, dropped_at)
        VALUES ('${month}', 1, 1, 0, 'x', now())`,
    );
    await t.tamper(
      `UPDATE audit.sealed SET payload = replace(payload, '"req-12"', '"req-13"') WHERE seq = 12`,
    );
    expect(await verifyAuditChain(t.admin, { publicJwk })).toMatchObject({
      ok: false,
      firstBadSeq: 12,
      reason: 'hash mismatch at seq 12',
    });
    await expect(t.admin.query('DELETE FROM audit.archive')).rejects.toThrow(/append-only/);
  });
});
