import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chainHash, GENESIS_HASH } from './hash.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';
import { verifyAuditChain } from './verify.js';
import { appendAudit, readAccessLog } from './writer.js';

interface Row {
  seq: string;
  prev_hash: string;
  hash: string;
  payload: string;
  patient_id: string | null;
}

describe('appendAudit and readAccessLog', () => {
  let t: AuditTestDb;
  let orm: MikroORM;
  let svc: pg.Client;
  const rows = async () =>
    (
      await t.admin.query<Row>(
        'SELECT seq, prev_hash, hash, payload, patient_id FROM audit.entry ORDER BY seq',
      )
    ).rows;

  beforeAll(async () => {
    t = await createAuditTestDb('audit_writer');
    orm = await t.serviceOrm();
    svc = new pg.Client(t.serviceUrl);
    await svc.connect();
  });
  afterAll(async () => {
    await svc.end();
    await orm.close();
    await t.drop();
  });

  it('chains appends with the hash the TypeScript verifier computes, byte for byte', async () => {
    const odd = sampleEntry(1, { reason: 'café ✓ "quoted" \\ back\nslash 𝄞', resourceId: 'ß-1' });
    await orm.em
      .fork()
      .transactional((em) => appendAudit(em, [odd, sampleEntry(2), sampleEntry(3)]));
    const r = await rows();
    expect(r.map((x) => Number(x.seq))).toEqual([1, 2, 3]);
    expect(r[0]!.prev_hash).toBe(GENESIS_HASH);
    let prev = GENESIS_HASH;
    for (const x of r) {
      expect(x.prev_hash).toBe(prev);
      expect(x.hash).toBe(chainHash(prev, Number(x.seq), x.payload));
      prev = x.hash;
    }
    expect(r[0]!.patient_id).toBe('pat-1');
  });

  it('ignores any seq or hash a writer supplies', async () => {
    await expect(
      svc.query(
        "INSERT INTO audit.entry (seq, prev_hash, hash, payload) VALUES (999, 'x', 'y', '{}')",
      ),
    ).rejects.toMatchObject({ code: '42501' });
    // Even the owner, who may name the columns, gets the trigger's values.
    await t.admin.query(
      "INSERT INTO audit.entry (seq, prev_hash, hash, payload) VALUES (999, 'x', 'y', '{}')",
    );
    const last = (await rows()).at(-1)!;
    expect(Number(last.seq)).toBe(4);
    expect(last.hash).toBe(chainHash(last.prev_hash, 4, '{}'));
  });

  it('a rolled-back append leaves no gap, and an empty append does nothing', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await appendAudit(em, [sampleEntry(5)]);
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    await orm.em.fork().transactional((em) => appendAudit(em, []));
    await orm.em.fork().transactional((em) => appendAudit(em, [sampleEntry(6)]));
    expect((await rows()).map((x) => Number(x.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true, lastSeq: 5 });
  });

  it("reads one patient's access log newest first, in pages", async () => {
    const em = orm.em.fork();
    const all = await readAccessLog(em, 'pat-0');
    expect(all.map((r) => r.seq)).toEqual([5, 3]);
    expect(all[0]).toMatchObject({
      action: 'read',
      requestId: 'req-6',
      clientId: 'web',
      emergency: false,
    });
    expect(all[0]!.occurredAt).toEqual(sampleEntry(6).occurredAt);
    const page = await readAccessLog(em, 'pat-0', { first: 1, beforeSeq: 5 });
    expect(page.map((r) => r.seq)).toEqual([3]);
    const [head] = await em.execute<{ seq: string }[]>('SELECT seq FROM audit.head()');
    expect(Number(head!.seq)).toBe(5);
  });

  it('under REPEATABLE READ a concurrent append fails as a retryable serialization failure', async () => {
    const [a, b] = [new pg.Client(t.serviceUrl), new pg.Client(t.serviceUrl)];
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('SELECT 1'); // b's snapshot predates a's append
      await a.query("INSERT INTO audit.entry (payload) VALUES ('{}')");
      const blocked = b.query("INSERT INTO audit.entry (payload) VALUES ('{}')");
      const settled = blocked.then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      await a.query('COMMIT');
      expect(await settled).toBe('40001');
    } finally {
      await b.query('ROLLBACK');
      await Promise.all([a.end(), b.end()]);
    }
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true, lastSeq: 6 });
  });

  it('concurrent appends from several connections form one gap-free chain', async () => {
    const before = (await rows()).length;
    const pids = new Set<number>();
    const worker = async (w: number) => {
      for (let i = 0; i < 12; i++) {
        await orm.em.fork().transactional(async (em) => {
          const [p] = await em.execute<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
          pids.add(p!.pid);
          const n = 1000 * w + i;
          await appendAudit(em, [sampleEntry(n), sampleEntry(n + 500)].slice(0, 1 + (i % 2)));
        });
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map((w) => worker(w + 1)));
    expect(pids.size).toBeGreaterThan(1);
    const result = await verifyAuditChain(t.admin);
    expect(result).toEqual({
      ok: true,
      entries: before + 6 * 18,
      lastSeq: before + 6 * 18,
      headsChecked: 0,
    });
  });
});
