import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AuditHeadTamperError, HeadLog } from './head-log.js';
import { GENESIS_HASH } from './hash.js';
import { generateAuditSigningKey, publicAuditKey, readHeads } from './heads.js';

const tip = (seq: number) => ({ seq, hash: String(seq % 10).repeat(64) });

describe('HeadLog (#10)', () => {
  let dir: string;
  let key: JWK;
  let file: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carefed-head-log-'));
    key = await generateAuditSigningKey();
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  const fresh = () => (file = path.join(dir, `${Math.random().toString(36).slice(2)}.jsonl`));

  it('#10 chains each signed head to the one before', async () => {
    const log = new HeadLog(fresh(), key);
    log.append(tip(0), 'start');
    log.append(tip(5), 'periodic');
    log.append(tip(9), 'stop');
    const heads = await readHeads(file, publicAuditKey(key));
    expect(heads.map((h) => [h.n, h.seq, h.event])).toEqual([
      [1, 0, 'start'],
      [2, 5, 'periodic'],
      [3, 9, 'stop'],
    ]);
    expect(heads[0]!.prev).toBe(GENESIS_HASH);
    expect(heads[1]!.prev).not.toBe(heads[2]!.prev);
  });

  it('#10 refuses a heads file with a line removed from the middle', async () => {
    const log = new HeadLog(fresh(), key);
    for (const seq of [1, 2, 3, 4]) log.append(tip(seq), 'periodic');
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    await fs.writeFile(file, `${[lines[0], lines[1], lines[3]].join('\n')}\n`);
    await expect(readHeads(file, publicAuditKey(key))).rejects.toThrow(
      'heads file line 3: does not follow line 2',
    );
  });

  it('#10 stops signing when its file was cut behind it, or the chain tip went back', async () => {
    const log = new HeadLog(fresh(), key);
    for (const seq of [1, 2, 3]) log.append(tip(seq), 'periodic');
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    await fs.writeFile(file, `${lines.slice(0, 2).join('\n')}\n`);
    expect(() => log.append(tip(4), 'periodic')).toThrow(AuditHeadTamperError);

    // A new signer (a restart) reads the file: it will not sign a tip below the last signed one.
    const restarted = new HeadLog(fresh(), key);
    restarted.append(tip(8), 'periodic');
    expect(() => new HeadLog(file, key).append(tip(7), 'start')).toThrow(
      'audit chain tip went back from seq 8 to seq 7',
    );
  });
});
