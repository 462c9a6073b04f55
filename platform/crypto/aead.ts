import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Encrypts under AES-256-GCM with a fresh random IV; returns `[iv, ciphertext, tag]` as base64url. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): [string, string, string] {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')) as [
    string,
    string,
    string,
  ];
}

/** Decodes canonical unpadded base64url, or returns undefined. */
export function fromB64url(text: string): Buffer | undefined {
  if (!B64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** The binary parts of a sealed value. */
export interface Sealed {
  iv: Buffer;
  body: Buffer;
  tag: Buffer;
}

/** Decodes `[iv, ciphertext, tag]` from base64url, or returns undefined when malformed. */
export function decodeSealed(parts: readonly string[]): Sealed | undefined {
  if (parts.length !== 3) return undefined;
  const [iv, body, tag] = parts.map(fromB64url);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || body === undefined) {
    return undefined;
  }
  return { iv, body, tag };
}

/**
 * Reverses {@link seal}. Returns undefined when the tag does not verify (wrong
 * key, altered data or different AAD), so callers raise their own error type.
 */
export function unseal(key: Buffer, { iv, body, tag }: Sealed, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
