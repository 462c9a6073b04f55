import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { generateAuditSigningKey, publicAuditKey, readHeads, signHead } from './heads.js';
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
    await t.tamper(
      "TRUNCATE audit.entry; UPDATE audit.chain_head SET seq = 0, hash = repeat('0', 64)",
    );
    next = 1;
    headsFile = path.join(dir, `heads-${Math.random().toString(36).slice(2)}.jsonl`);
    await append(12);
    await signHead(orm.em.fork(), { privateJwk, headsFile });
    await append(8);
    await signHead(t.admin, { privateJwk, headsFile });
  });

  it('passes after activity and checks every signed head', async () => {
    expect(await verify()).toEqual({ ok: true, entries: 20, lastSeq: 20, headsChecked: 2 });
    expect((await readHeads(headsFile, publicJwk)).map((h) => h.seq)).toEqual([12, 20]);
    // Batches join up: a batch size that splits the chain gives the same answer.
    expect(await verifyAuditChain(t.admin, { headsFile, publicJwk, batchSize: 7 })).toMatchObject({
      ok: true,
    });
    // The service role may append but not read the chain: verifying needs the owner.
    await expect(verifyAuditChain(orm.em.fork())).rejects.toThrow(/permission denied/);
  });

  it('catches one changed byte in a payload', async () => {
    await t.tamper(
      `UPDATE audit.entry SET payload = replace(payload, '"req-7"', '"req-8"') WHERE seq = 7`,
    );
    expect(await verify()).toEqual({
      ok: false,
      entries: 6,
      firstBadSeq: 7,
      reason: 'hash mismatch at seq 7',
    });
  });

  it('catches a deleted row', async () => {
    await t.tamper('DELETE FROM audit.entry WHERE seq = 12');
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 12,
      reason: 'gap: seq 12 missing',
    });
  });

  it('catches a swapped pair of payloads', async () => {
    await t.tamper(`UPDATE audit.entry a SET payload = b.payload FROM audit.entry b
      WHERE (a.seq, b.seq) IN ((5, 9), (9, 5))`);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 5,
      reason: 'hash mismatch at seq 5',
    });
  });

  it('catches an edited row whose own hash was recomputed, at the next link', async () => {
    await t.tamper(`UPDATE audit.entry SET payload = '{"forged":true}',
      hash = encode(sha256(convert_to(prev_hash || E'\\n' || seq::text || E'\\n' || '{"forged":true}', 'UTF8')), 'hex')
      WHERE seq = 9`);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      reason: 'prev_hash mismatch at seq 10',
    });
  });

  it('catches a truncated tail after a signed head', async () => {
    await t.tamper('DELETE FROM audit.entry WHERE seq > 15');
    expect(await verify()).toEqual({
      ok: false,
      entries: 15,
      firstBadSeq: 16,
      reason: 'chain ends at seq 15 but a signed head records seq 20',
    });
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true, lastSeq: 15 });
  });

  it('catches a truncated tail that was regrown past the signed head', async () => {
    // A thorough attacker also rewinds the tip, so new appends link up after seq 15.
    await t.tamper(`DELETE FROM audit.entry WHERE seq > 15;
      UPDATE audit.chain_head SET seq = 15, hash = (SELECT hash FROM audit.entry WHERE seq = 15)`);
    await append(7);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBadSeq: 20,
      reason: expect.stringMatching(/^hash at seq 20 differs/),
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

    await write([lines[0]!, JSON.stringify({ ...last, seq: 15 })]);
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
      await signHead(t.admin, { privateJwk, headsFile, now: new Date(t0 + i * minute) });
    }
    const lines = (await fs.readFile(headsFile, 'utf8')).trimEnd().split('\n');
    const kept = JSON.parse(lines[2]!) as { seq: number };
    await t.tamper(`DELETE FROM audit.entry WHERE seq > ${kept.seq}`);
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
      lastSeq: 20,
    });
  });
});
