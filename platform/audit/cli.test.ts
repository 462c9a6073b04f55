import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runAuditVerify } from './cli.js';
import { generateAuditSigningKey, publicAuditKey, signHead } from './heads.js';
import { sealPending } from './sealer.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';
import { appendAudit } from './writer.js';

describe('audit:verify command', () => {
  let t: AuditTestDb;
  let orm: MikroORM;
  let dir: string;
  let args: string[];

  const run = async (argv: string[]) => {
    const out: string[] = [];
    const code = await runAuditVerify(argv, { out: (l) => out.push(l), err: (l) => out.push(l) });
    return { code, out: out.join('\n') };
  };
  const append = (ns: number[]) =>
    orm.em.fork().transactional((em) =>
      appendAudit(
        em,
        ns.map((n) => sampleEntry(n)),
      ),
    );

  beforeAll(async () => {
    t = await createAuditTestDb('audit_cli');
    orm = await t.serviceOrm();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carefed-audit-cli-'));
    const key = await generateAuditSigningKey();
    const headsFile = path.join(dir, 'heads.jsonl');
    const keyFile = path.join(dir, 'audit-signing.pub.jwk.json');
    await fs.writeFile(keyFile, JSON.stringify(publicAuditKey(key)));
    // Five entries sealed in two batches (3 + 2) and signed; a sixth still queued.
    await append([1, 2, 3, 4, 5]);
    await sealPending(orm.em.fork(), {
      key: createPrivateKey({ key: key as Record<string, unknown>, format: 'jwk' }),
      maxBatch: 3,
    });
    await signHead(t.admin, { privateJwk: key, headsFile });
    await append([6]);
    args = ['--url', t.url, '--heads', headsFile, '--public-key', keyFile];
  });
  afterAll(async () => {
    await orm.close();
    await t.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports an intact log and exits 0', async () => {
    expect(await run(args)).toEqual({
      code: 0,
      out:
        'audit log intact: 5 sealed entries in 2 signed batches, 1 waiting to be sealed ' +
        '(1 signed heads checked)',
    });
  });

  it('exits 2 when it cannot verify', async () => {
    const r = await run([...args.slice(0, 4), '--public-key', path.join(dir, 'missing.json')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/could not run/);
    expect((await run(['--bogus'])).code).toBe(2);
  });

  it('can skip the signed heads explicitly', async () => {
    expect(await run(['--url', t.url, '--skip-heads'])).toEqual({
      code: 0,
      out:
        'audit log intact: 5 sealed entries in 2 signed batches, 1 waiting to be sealed ' +
        '(signed heads not checked)',
    });
  });

  it("reports a fault that is no one entry's without a seq, and exits 1", async () => {
    const otherKey = path.join(dir, 'other.pub.jwk.json');
    await fs.writeFile(otherKey, JSON.stringify(publicAuditKey(await generateAuditSigningKey())));
    expect(await run([...args.slice(0, 4), '--public-key', otherKey])).toEqual({
      code: 1,
      out: 'audit log BROKEN: heads file line 1: bad signature',
    });
  });

  it('reports an entry left unsealed past the head age limit (the sealer stopped), and exits 1', async () => {
    const back = (sign: '-' | '+') =>
      t.tamper(
        `UPDATE audit.intake SET logged_at = logged_at ${sign} interval '10 minutes' WHERE seq = 6`,
      );
    await back('-');
    try {
      const r = await run([...args, '--max-head-age', '300']);
      expect(r.out).toMatch(
        /^audit log BROKEN at seq 6: entry seq 6 has waited 60\d s to be sealed: the sealer is not running$/,
      );
      expect(r.code).toBe(1);
    } finally {
      await back('+');
    }
    expect((await run(args)).code).toBe(0);
  });

  it('reports the first bad seq and exits 1', async () => {
    await t.tamper(
      `UPDATE audit.sealed SET payload = replace(payload, 'TREAT', 'TREAX') WHERE seq = 4`,
    );
    expect(await run(args)).toEqual({
      code: 1,
      out: 'audit log BROKEN at seq 4: hash mismatch at seq 4',
    });
    // A batch head changed before it: the first fault found, and no one entry's.
    await t.tamper(`UPDATE audit.batch SET root = repeat('0', 64) WHERE batch = 1`);
    expect(await run(args)).toEqual({
      code: 1,
      out: 'audit log BROKEN: batch 1 head hash mismatch',
    });
  });
});
