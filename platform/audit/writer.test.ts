import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  BATCH_COLUMNS,
  batchHeadHash,
  GENESIS_HASH,
  headOfRow,
  type BatchRow,
} from './batch-head.js';
import { generateAuditSigningKey, publicAuditKey } from './heads.js';
import { leafHash, merkleRoot } from './merkle.js';
import { sealPending } from './sealer.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';
import { verifyAuditChain } from './verify.js';
import { appendAudit, readAccessLog } from './writer.js';

interface EntryRow {
  seq: string;
  payload: string;
  patient_id: string | null;
}

interface SealRow {
  seq: string;
  batch: string;
  idx: number;
  leaf: string;
}

describe('appendAudit and readAccessLog', () => {
  let t: AuditTestDb;
  let orm: MikroORM;
  let svc: pg.Client;
  let key: KeyObject;
  let publicJwk: JWK;
  const entries = async () =>
    (await t.admin.query<EntryRow>('SELECT seq, payload, patient_id FROM audit.entry ORDER BY seq'))
      .rows;
  const seals = async () =>
    (await t.admin.query<SealRow>('SELECT seq, batch, idx, leaf FROM audit.seal ORDER BY seq'))
      .rows;
  const pending = async () =>
    (await t.admin.query<{ seq: string }>('SELECT seq FROM audit.intake ORDER BY seq')).rows.map(
      (r) => Number(r.seq),
    );
  const seal = () => sealPending(orm.em.fork(), { key });
  const verify = () => verifyAuditChain(t.admin, { publicJwk });

  beforeAll(async () => {
    t = await createAuditTestDb('audit_writer');
    orm = await t.serviceOrm();
    svc = new pg.Client(t.serviceUrl);
    await svc.connect();
    const privateJwk = await generateAuditSigningKey();
    publicJwk = publicAuditKey(privateJwk);
    key = createPrivateKey({ key: privateJwk as Record<string, unknown>, format: 'jwk' });
  });
  afterAll(async () => {
    await svc.end();
    await orm.close();
    await t.drop();
  });

  it('seals appends with the leaf hash and Merkle root the TypeScript verifier computes, byte for byte', async () => {
    const odd = sampleEntry(1, { reason: 'café ✓ "quoted" \\ back\nslash 𝄞', resourceId: 'ß-1' });
    await orm.em
      .fork()
      .transactional((em) => appendAudit(em, [odd, sampleEntry(2), sampleEntry(3)]));
    const r = await entries();
    expect(r.map((x) => Number(x.seq))).toEqual([1, 2, 3]);
    expect(r[0]!.patient_id).toBe('pat-1');
    // Queued in the appending transaction, not sealed yet.
    expect(await pending()).toEqual([1, 2, 3]);
    expect(await seals()).toEqual([]);

    // The database recomputes every leaf in audit.record_batch and refuses a mismatch: sealing
    // these odd payloads at all shows its SQL hash and leafHash agree byte for byte.
    expect(await seal()).toEqual({ batches: 1, entries: 3, busy: false });
    expect(await pending()).toEqual([]);
    const leaves = r.map((x) => leafHash(Number(x.seq), x.payload));
    expect(await seals()).toEqual(
      r.map((x, i) => ({ seq: x.seq, batch: '1', idx: i, leaf: leaves[i] })),
    );
    const { rows: batches } = await t.admin.query<BatchRow>(
      `SELECT ${BATCH_COLUMNS} FROM audit.batch`,
    );
    expect(batches).toHaveLength(1);
    const b = batches[0]!;
    expect(b).toMatchObject({ batch: '1', size: 3, root: merkleRoot(leaves), prev: GENESIS_HASH });
    expect(b.month).toBe(new Date().toISOString().slice(0, 7));
    expect(b.head_hash).toBe(batchHeadHash(headOfRow(b)));
  });

  it('ignores any seq or time a service writer supplies', async () => {
    for (const sql of [
      "INSERT INTO audit.intake (seq, payload) OVERRIDING SYSTEM VALUE VALUES (999, '{}')",
      "INSERT INTO audit.intake (logged_at, payload) VALUES ('2001-01-01', '{}')",
      "INSERT INTO audit.intake (seq, logged_at, payload) OVERRIDING SYSTEM VALUE VALUES (999, now(), '{}')",
    ])
      await expect(svc.query(sql), sql).rejects.toMatchObject({ code: '42501' });
    await svc.query("INSERT INTO audit.intake (payload) VALUES ('{}')");
    const last = (await entries()).at(-1)!;
    expect(Number(last.seq)).toBe(4);
    expect(await pending()).toEqual([4]);
  });

  it('refuses a seq the owner supplies: the identity is always generated', async () => {
    await expect(
      t.admin.query("INSERT INTO audit.intake (seq, payload) VALUES (1, '{}')"),
    ).rejects.toMatchObject({ code: '428C9' });
    const seqs = (await entries()).map((x) => Number(x.seq));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('a rolled-back append leaves nothing stored or queued, and an empty append does nothing', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await appendAudit(em, [sampleEntry(5)]);
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    await orm.em.fork().transactional((em) => appendAudit(em, []));
    await orm.em.fork().transactional((em) => appendAudit(em, [sampleEntry(6)]));
    const r = await entries();
    expect(r).toHaveLength(5);
    expect(r.map((x) => JSON.parse(x.payload) as { requestId?: string }).at(-1)!.requestId).toBe(
      'req-6',
    );
    expect(r.some((x) => x.payload.includes('"req-5"'))).toBe(false);
    // Queued: exactly the committed entries not yet sealed.
    expect(await pending()).toEqual(r.slice(3).map((x) => Number(x.seq)));
    // A seq burnt by the rollback is no fault: the log verifies, pending and then sealed.
    expect(await verify()).toMatchObject({ ok: true, entries: 3, batches: 1, pending: 2 });
    expect(await seal()).toMatchObject({ batches: 1, entries: 2 });
    expect(await verify()).toMatchObject({ ok: true, entries: 5, batches: 2, pending: 0 });
  });

  it("reads one patient's access log newest first, in pages, with each entry's leaf hash", async () => {
    const em = orm.em.fork();
    const seqOf = async (requestId: string) =>
      Number(
        (
          await t.admin.query<{ seq: string }>(
            "SELECT seq FROM audit.entry WHERE payload::jsonb ->> 'requestId' = $1",
            [requestId],
          )
        ).rows[0]!.seq,
      );
    const [s3, s6] = [await seqOf('req-3'), await seqOf('req-6')];
    const all = await readAccessLog(em, 'pat-0');
    expect(all.map((r) => r.seq)).toEqual([s6, s3]);
    expect(all[0]).toMatchObject({
      action: 'read',
      requestId: 'req-6',
      clientId: 'web',
      emergency: false,
    });
    expect(all[0]!.occurredAt).toEqual(sampleEntry(6).occurredAt);
    const leaves = new Map((await seals()).map((s) => [Number(s.seq), s.leaf]));
    expect(all.map((r) => r.hash)).toEqual([leaves.get(s6), leaves.get(s3)]);
    const page = await readAccessLog(em, 'pat-0', { first: 1, beforeSeq: s6 });
    expect(page.map((r) => r.seq)).toEqual([s3]);

    // Not sealed yet: listed, without a hash.
    await orm.em.fork().transactional((tx) => appendAudit(tx, [sampleEntry(9)]));
    const fresh = await readAccessLog(em, 'pat-0', { first: 1 });
    expect(fresh[0]).toMatchObject({ requestId: 'req-9' });
    expect(fresh[0]!.hash).toBeUndefined();
    await seal();

    // The head is the newest sealed batch.
    const [head] = await em.execute<{ seq: string; hash: string }[]>(
      'SELECT seq, hash FROM audit.head()',
    );
    const { rows: newest } = await t.admin.query<{ batch: string; head_hash: string }>(
      'SELECT batch, head_hash FROM audit.batch ORDER BY batch DESC LIMIT 1',
    );
    expect(Number(head!.seq)).toBe(3);
    expect(head).toEqual({ seq: newest[0]!.batch, hash: newest[0]!.head_hash });
  });

  for (const level of ['REPEATABLE READ', 'SERIALIZABLE'])
    it(`under ${level} concurrent appends no longer conflict: both commit`, async () => {
      const before = (await entries()).length;
      const [a, b] = [new pg.Client(t.serviceUrl), new pg.Client(t.serviceUrl)];
      await Promise.all([a.connect(), b.connect()]);
      try {
        await a.query(`BEGIN ISOLATION LEVEL ${level}`);
        await b.query(`BEGIN ISOLATION LEVEL ${level}`);
        await b.query('SELECT 1'); // b's snapshot predates a's append
        await a.query("INSERT INTO audit.intake (payload) VALUES ('{}')");
        // Nothing to wait on: b's append returns while a's transaction is still open.
        await b.query("INSERT INTO audit.intake (payload) VALUES ('{}')");
        await a.query('COMMIT');
        await b.query('COMMIT');
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
      expect(await entries()).toHaveLength(before + 2);
      await seal();
      expect(await verify()).toMatchObject({ ok: true, entries: before + 2, pending: 0 });
    });

  it('concurrent appends from several connections, sealed while they run, all get sealed and verify', async () => {
    const before = (await entries()).length;
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
    let appending = true;
    let sealedWhileAppending = 0;
    const sealer = (async () => {
      while (appending) sealedWhileAppending += (await seal()).entries;
    })();
    await Promise.all([0, 1, 2, 3, 4, 5].map((w) => worker(w + 1)));
    appending = false;
    await sealer;
    await seal();
    expect(pids.size).toBeGreaterThan(1);
    expect(sealedWhileAppending).toBeGreaterThan(0);
    const all = await entries();
    expect(all).toHaveLength(before + 6 * 18);
    // Every entry sealed exactly once.
    expect((await seals()).map((s) => s.seq)).toEqual(all.map((e) => e.seq));
    expect(await pending()).toEqual([]);
    expect(await verify()).toMatchObject({ ok: true, entries: before + 6 * 18, pending: 0 });
  });
});
