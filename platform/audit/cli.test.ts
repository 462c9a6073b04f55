import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runAuditVerify } from './cli.js';
import { generateAuditSigningKey, publicAuditKey, signHead } from './heads.js';
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

  beforeAll(async () => {
    t = await createAuditTestDb('audit_cli');
    orm = await t.serviceOrm();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carefed-audit-cli-'));
    const key = await generateAuditSigningKey();
    const headsFile = path.join(dir, 'heads.jsonl');
    const keyFile = path.join(dir, 'audit-signing.pub.jwk.json');
    await fs.writeFile(keyFile, JSON.stringify(publicAuditKey(key)));
    await orm.em.fork().transactional((em) =>
      appendAudit(
        em,
        [1, 2, 3, 4, 5].map((n) => sampleEntry(n)),
      ),
    );
    await signHead(t.admin, { privateJwk: key, headsFile });
    args = ['--url', t.url, '--heads', headsFile, '--public-key', keyFile];
  });
  afterAll(async () => {
    await orm.close();
    await t.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports an intact chain and exits 0', async () => {
    expect(await run(args)).toEqual({
      code: 0,
      out: 'audit chain intact: 5 entries, last seq 5 (1 signed heads checked)',
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
      out: 'audit chain intact: 5 entries, last seq 5 (signed heads not checked)',
    });
  });

  it('reports the first bad seq and exits 1', async () => {
    await t.tamper(
      `UPDATE audit.entry SET payload = replace(payload, 'TREAT', 'TREAX') WHERE seq = 4`,
    );
    expect(await run(args)).toEqual({
      code: 1,
      out: 'audit chain BROKEN at seq 4: hash mismatch at seq 4',
    });
  });
});
