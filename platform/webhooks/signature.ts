import { createHmac, randomBytes } from 'node:crypto';

/** A new subscription secret: 32 random bytes, shown to the partner once. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * The `carefed-signature` header of one delivery: `t=<unix seconds>,v1=<hex>`
 * where v1 is HMAC-SHA256, keyed with the secret string as issued, over
 * `<t>.<raw body>`. The partner recomputes it over the bytes it received,
 * compares in constant time, and rejects stale `t` to stop replays.
 */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
