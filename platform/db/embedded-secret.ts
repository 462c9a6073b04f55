import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded server's superuser password: generated once per data
 * directory, kept beside the cluster in `<dataDir>/pg-superuser.secret`
 * (mode 0600, owned by the user running Carefed, not by the PostgreSQL
 * server's OS user) and reused at every start.
 */
export const superuserSecretFile = (dataDir: string): string =>
  path.resolve(dataDir, 'pg-superuser.secret');

/** A fresh password: 32 random bytes, base64url (no character needs quoting in SQL or a URL). */
export const randomPassword = (): string => randomBytes(32).toString('base64url');

/** The stored password of this data directory, or undefined when none was generated yet. */
export function readSuperuserPassword(dataDir: string): string | undefined {
  try {
    const text = fs.readFileSync(superuserSecretFile(dataDir), 'utf8').trim();
    return /^[A-Za-z0-9_-]{20,}$/.test(text) ? text : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Generates a password, stores it (0600) and has `apply` set it on the
 * server; the file is removed again if that fails. Returns the password.
 */
export async function replaceSuperuserPassword(
  dataDir: string,
  apply: (password: string) => Promise<void>,
): Promise<string> {
  const file = superuserSecretFile(dataDir);
  const password = randomPassword();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await apply(password);
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw err;
  }
  return password;
}
