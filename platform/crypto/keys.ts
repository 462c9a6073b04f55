import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Length in bytes of every symmetric key Carefed uses (AES-256, HMAC-SHA256). */
export const KEY_BYTES = 32;

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Where a secret key may come from; the caller reads the environment. */
export interface SecretKeyOptions {
  /** Variable name used in error messages, e.g. `CAREFED_KEK`. */
  name: string;
  /** Base64 key (the variable's value). */
  value?: string;
  /** Path of a file holding the base64 key (the `<name>_FILE` variable). */
  file?: string;
  /** Development key file, created on first use when `allowDevGenerate` is set. */
  devFile: string;
  /** True in development and tests only: production must configure its keys. */
  allowDevGenerate: boolean;
}

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    // The message names where the key came from, never the key itself.
    throw new Error(
      `${source} must be ${KEY_BYTES} bytes encoded as base64 (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

function readKeyFile(path: string, source: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(`${source}: cannot read key file ${path} (${code})`, { cause: err });
  }
}

/** Reads the dev key file, creating it atomically so concurrent starts agree on one key. */
function readOrCreateDevKey(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
  try {
    // link() fails if the target exists, so a second process reads the first one's key.
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(path, 'utf8');
}

/**
 * Returns a 32-byte secret key from `value` (base64), else from `file`, else
 * (when `allowDevGenerate`) from `devFile`, created with a random key and
 * mode 0600 if missing. Throws an Error naming `opts.name` when no key is
 * configured, when both sources are set, or when the key is not 32 bytes.
 */
export function loadSecretKey(opts: SecretKeyOptions): Buffer {
  const { name } = opts;
  const hasValue = opts.value !== undefined && opts.value !== '';
  const hasFile = opts.file !== undefined && opts.file !== '';
  if (hasValue && hasFile) {
    throw new Error(`Set only one of ${name} and ${name}_FILE`);
  }
  if (hasValue) return decodeKey(opts.value ?? '', name);
  if (hasFile) {
    const source = `${name}_FILE`;
    return decodeKey(readKeyFile(opts.file ?? '', source), source);
  }
  if (!opts.allowDevGenerate) {
    throw new Error(
      `${name} is not set: set ${name} to a base64-encoded ${KEY_BYTES}-byte key, or ${name}_FILE to a file holding one`,
    );
  }
  return decodeKey(
    readOrCreateDevKey(opts.devFile),
    `${name} development key file ${opts.devFile}`,
  );
}
