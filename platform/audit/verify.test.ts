import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { generateAuditSigningKey, publicAuditKey, readHeads, signHead } from './heads.js';
import { leafHash } from './merkle.js';
import { sealPending } from './sealer.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';
import { verifyAuditChain } from './verify.js';
import { appendAudit } from './writer.js';

describe('verifyAuditChain', () => {
  let t: AuditTestDb;
  let orm: MikroORM;
  let dir: string;
  let headsFile: string;
  let privateJwk: JWK;
  let publicJwk: JWK;
  let next = 1;

  const append = async (count: number) => {
    const entries = Array.from({ length: count }, () => sampleEntry(next++));
    await orm.em.fork().transactional((em) => appendAudit(em, entries));
  };
  const seal = (maxBatch = 5) =>
    sealPending(orm.em.fork(), {
      key: createPrivateKey({ key: privateJwk as Record<string, unknown>, format: 'jwk' }),
      maxBatch,
    });
  const verify = () => verifyAuditChain(t.admin, { headsFile, publicJwk });

  beforeAll(async () => {
    t = await createAuditTestDb('audit_verify');
    orm = await t.serviceOrm();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carefed-audit-'));
    privateJwk = await generateAuditSigningKey();
    publicJwk = publicAuditKey(privateJwk);
  });
  afterAll(async () => {
    await orm.close();
    await t.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await t.tamper('TRUNCATE audit.sealed, audit.intake, audit.seal, audit.batch, audit.archive');
    await t.admin.query("SELECT setval(pg_get_serial_sequence('audit.intake', 'seq'), 1, false)");
    next = 1;
    headsFile = path.join(dir, `heads-${Math.random().toString(36).slice(2)}.jsonl`);
    // 12 entries in batches of at most 5: batches 1-3; then 8 more: batches 4-5.
    await append(12);
    await seal();
    await signHead(orm.em.fork(), { privateJwk, headsFile });
    await append(8);
    await seal();
    await signHead(t.admin, { privateJwk, headsFile });
  });

  it('passes after activity and checks every batch and signed head', async () => {
    expect(await verify()).toEqual({
      ok: true,
      entries: 20,
      batches: 5,
      pending: 0,
      headsChecked: 2,
    });
    expect((await readHeads(headsFile, publicJwk)).map((h) => h.seq)).toEqual([3, 5]);
    // Pages join up: a page size that splits the batches gives the same answer.
    expect(await verifyAuditChain(t.admin, { headsFile, publicJwk, batchSize: 2 })).toMatchObject({
      ok: true,
      entries: 20,
    });
    // The service role may append but not read the log: verifying needs the owner.
    await expect(verifyAuditChain(orm.em.fork())).rejects.toThrow(/permission denied/);
  });

  it('catches one changed byte in a payload', async () => {
    await t.tamper(
      `UPDATE audit.sealed SET payload = replace(payload, '"req-7"', '"req-8"') WHERE seq = 7`,
    );
    expect(await verify()).toEqual({
      ok: false,
      entries: 5,
      firstBadSeq: 7,
      reason: 'hash mismatch at seq 7',
    });
  });

  it('catches a deleted entry', async () => {
    await t.tamper('DELETE FROM audit.sealed WHERE seq = 12');
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 12,
      reason: 'entry seq 12 (batch 3) is missing',
    });
  });

  it('catches a swapped pair of payloads', async () => {
    await t.tamper(`UPDATE audit.sealed a SET payload = b.payload FROM audit.sealed b
      WHERE (a.seq, b.seq) IN ((5, 9), (9, 5))`);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 5,
      reason: 'hash mismatch at seq 5',
    });
  });

  it('catches an edited entry whose stored leaf hash was recomputed, at its batch root', async () => {
    const forged = '{"forged":true}';
    await t.tamper(`UPDATE audit.sealed SET payload = '${forged}' WHERE seq = 9;
      UPDATE audit.seal SET leaf = '${leafHash(9, forged)}' WHERE seq = 9`);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 0,
      reason: 'batch 2 root mismatch',
    });
  });

  it('catches an entry inserted behind the log, and one left unsealed too long', async () => {
    await t.tamper(
      `INSERT INTO audit.sealed (seq, logged_at, payload) VALUES (500, now(), '{"inserted":true}')`,
    );
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 500,
      reason: 'entry seq 500 is in the sealed log but in no batch',
    });
    await t.tamper('DELETE FROM audit.sealed WHERE seq = 500');
    await append(1);
    const later = new Date(Date.now() + 120_000);
    expect(await verifyAuditChain(t.admin, { headsFile, publicJwk, now: later })).toMatchObject({
      ok: true,
      pending: 1,
    });
    expect(
      await verifyAuditChain(t.admin, { headsFile, publicJwk, now: later, maxSealLagMs: 60_000 }),
    ).toMatchObject({
      ok: false,
      firstBadSeq: 21,
      reason: expect.stringMatching(/^entry seq 21 has waited 12\d s to be sealed/),
    });
  });

  it('catches a batch re-signed with another key, and a batch removed from the middle', async () => {
    const other = await generateAuditSigningKey();
    await t.tamper('DELETE FROM audit.seal; DELETE FROM audit.batch');
    await t.tamper(
      `INSERT INTO audit.intake (seq, logged_at, payload) OVERRIDING SYSTEM VALUE
        SELECT seq, logged_at, payload FROM audit.sealed; DELETE FROM audit.sealed`,
    );
    await sealPending(orm.em.fork(), {
      key: createPrivateKey({ key: other as Record<string, unknown>, format: 'jwk' }),
      maxBatch: 5,
    });
    expect(await verifyAuditChain(t.admin, { publicJwk })).toMatchObject({
      ok: false,
      reason: 'batch 1 signature does not match',
    });
    await t.tamper('DELETE FROM audit.seal; DELETE FROM audit.batch');
    await t.tamper(
      `INSERT INTO audit.intake (seq, logged_at, payload) OVERRIDING SYSTEM VALUE
        SELECT seq, logged_at, payload FROM audit.sealed; DELETE FROM audit.sealed`,
    );
    await seal();
    await t.tamper(
      'DELETE FROM audit.seal WHERE batch = 2; DELETE FROM audit.batch WHERE batch = 2',
    );
    expect(await verifyAuditChain(t.admin, { publicJwk })).toMatchObject({
      ok: false,
      reason: 'batch 2 missing',
    });
  });

  it('catches a truncated tail after a signed head', async () => {
    await t.tamper(`DELETE FROM audit.sealed WHERE seq > 15;
      DELETE FROM audit.seal WHERE batch > 3; DELETE FROM audit.batch WHERE batch > 3`);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 0,
      reason: 'the log ends at batch 3 but a signed head records batch 5',
    });
  });

  it('catches a truncated tail that was regrown past the signed head', async () => {
    await t.tamper(`DELETE FROM audit.sealed WHERE seq > 12;
      DELETE FROM audit.seal WHERE batch > 3; DELETE FROM audit.batch WHERE batch > 3`);
    await append(12);
    await seal();
    expect(await verify()).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^batch 5 differs from the head signed at/),
    });
  });

  it('refuses a heads file that is missing, forged or edited', async () => {
    const lines = (await fs.readFile(headsFile, 'utf8')).trimEnd().split('\n');
    const last = JSON.parse(lines[1]!) as { seq: number; jws: string };
    const write = (l: string[]) => fs.writeFile(headsFile, `${l.join('\n')}\n`);

    const i = last.jws.length - 20; // inside the signature
    const flipped =
      last.jws.slice(0, i) + (last.jws[i] === 'A' ? 'B' : 'A') + last.jws.slice(i + 1);
    await write([lines[0]!, JSON.stringify({ ...last, jws: flipped })]);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 0,
      reason: 'heads file line 2: bad signature',
    });

    await write([lines[0]!, JSON.stringify({ ...last, seq: 4 })]);
    expect(await verify()).toMatchObject({
      ok: false,
      reason: 'heads file line 2: readable fields differ from the signed head',
    });

    const otherKey = publicAuditKey(await generateAuditSigningKey());
    await write(lines);
    expect(await verifyAuditChain(t.admin, { headsFile, publicJwk: otherKey })).toMatchObject({
      ok: false,
      reason: 'heads file line 1: bad signature',
    });

    await fs.rm(headsFile);
    expect(await verify()).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^signed heads file not found/),
    });
  });

  it('#10 fails when the newest heads were removed (newest head older than the limit)', async () => {
    // Heads a minute apart, as the signer writes them; an attacker deletes the newest entries
    // and the heads that named them: what remains is an intact prefix, but an old one.
    const minute = 60_000;
    const t0 = Date.now() - 10 * minute;
    headsFile = path.join(dir, `heads-aged-${Math.random().toString(36).slice(2)}.jsonl`);
    for (let i = 0; i < 6; i++) {
      await append(3);
      await seal();
      await signHead(t.admin, { privateJwk, headsFile, now: new Date(t0 + i * minute) });
    }
    const lines = (await fs.readFile(headsFile, 'utf8')).trimEnd().split('\n');
    const kept = JSON.parse(lines[2]!) as { seq: number };
    await t.tamper(`DELETE FROM audit.sealed e USING audit.seal s WHERE s.seq = e.seq AND s.batch > ${kept.seq};
      DELETE FROM audit.seal WHERE batch > ${kept.seq}; DELETE FROM audit.batch WHERE batch > ${kept.seq}`);
    await fs.writeFile(headsFile, `${lines.slice(0, 3).join('\n')}\n`);
    const now = new Date(t0 + 6 * minute);
    // Without the freshness check the cut passes: this was the finding.
    expect(await verifyAuditChain(t.admin, { headsFile, publicJwk, now })).toMatchObject({
      ok: true,
    });
    expect(
      await verifyAuditChain(t.admin, { headsFile, publicJwk, now, maxHeadAgeMs: 2 * minute }),
    ).toMatchObject({
      ok: false,
      firstBadSeq: 0,
      reason: expect.stringMatching(
        /^newest signed head \(.*\) is 240 s old, over the 120 s limit/,
      ),
    });
  });

  it('#10 accepts an old stop head only when told the stack was stopped', async () => {
    const old = new Date(Date.now() - 3_600_000);
    await signHead(t.admin, { privateJwk, headsFile, now: old, event: 'stop' });
    const opts = { headsFile, publicJwk, maxHeadAgeMs: 120_000 };
    expect(await verifyAuditChain(t.admin, opts)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/it is a stop head: verify a stopped stack with --stopped/),
    });
    expect(await verifyAuditChain(t.admin, { ...opts, acceptStopped: true })).toMatchObject({
      ok: true,
      batches: 5,
    });
  });
});
