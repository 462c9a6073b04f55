import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecretKey } from './keys.js';

const dir = mkdtempSync(join(tmpdir(), 'cf-keys-'));
const base = { name: 'CAREFED_KEK', devFile: join(dir, 'unused'), allowDevGenerate: false };

describe('loadSecretKey', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes a base64 value', () => {
    const key = randomBytes(32);
    expect(loadSecretKey({ ...base, value: key.toString('base64') }).equals(key)).toBe(true);
  });

  it('reads a file holding base64, tolerating a trailing newline', () => {
    const key = randomBytes(32);
    const file = join(dir, 'kek.b64');
    writeFileSync(file, `${key.toString('base64')}\n`);
    expect(loadSecretKey({ ...base, file }).equals(key)).toBe(true);
  });

  it('creates a 0600 dev key in new parent directories, and reuses it', () => {
    const devFile = join(dir, 'a', 'b', 'kek');
    const first = loadSecretKey({ ...base, devFile, allowDevGenerate: true });
    expect(first).toHaveLength(32);
    expect(statSync(devFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(devFile, 'utf8').trim(), 'base64').equals(first)).toBe(true);
    expect(loadSecretKey({ ...base, devFile, allowDevGenerate: true }).equals(first)).toBe(true);
  });

  it('names the variable when nothing is configured and dev keys are off', () => {
    expect(() => loadSecretKey(base)).toThrow(/CAREFED_KEK is not set.*CAREFED_KEK_FILE/);
    expect(() => loadSecretKey({ ...base, value: '' })).toThrow(/CAREFED_KEK is not set/);
  });

  it('rejects a key that is not 32 bytes, naming the variable but not echoing the value', () => {
    const short = randomBytes(16).toString('base64');
    const err = (() => {
      try {
        loadSecretKey({ ...base, value: short });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).toMatch(/^CAREFED_KEK must be 32 bytes/);
    expect(err?.message).not.toContain(short);
    expect(() => loadSecretKey({ ...base, value: 'not base64 at all!' })).toThrow(/CAREFED_KEK/);
  });

  it('names the _FILE variable for a bad or missing file', () => {
    const file = join(dir, 'short');
    writeFileSync(file, randomBytes(31).toString('base64'));
    expect(() => loadSecretKey({ ...base, file })).toThrow(/^CAREFED_KEK_FILE must be 32 bytes/);
    expect(() => loadSecretKey({ ...base, file: join(dir, 'missing') })).toThrow(
      /CAREFED_KEK_FILE: cannot read key file .*ENOENT/,
    );
  });

  it('refuses both a value and a file', () => {
    const value = randomBytes(32).toString('base64');
    expect(() => loadSecretKey({ ...base, value, file: '/x' })).toThrow(
      /only one of CAREFED_KEK and CAREFED_KEK_FILE/,
    );
  });
});
