import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a payment provider signs its callbacks with: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'carefed-payment-signature';

/** How far a callback's signed timestamp may be from the receiver's clock (Stripe's default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const mac = (secret: string, timestamp: number, body: Buffer | string): string =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

/** The signature header value for `body` at `timestamp` (unix seconds). */
export function signPayload(secret: string, body: Buffer | string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/** Why a callback's signature was refused (a code, never the body). */
export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

/**
 * Checks a callback's signature over its raw body: the HMAC of
 * `<timestamp>.<body>` under the shared secret, compared in constant time,
 * with the timestamp within `SIGNATURE_TOLERANCE_SECONDS` of `now` (so a
 * captured callback cannot be replayed later). Several `v1=` values may be
 * given (secret rotation); one match is enough. Returns null when it holds.
 */
export function signatureProblem(
  secret: string,
  body: Buffer,
  header: string | undefined,
  now: Date,
): SignatureProblem | null {
  if (!header) return 'missing';
  if (header.length > 1024) return 'malformed';
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string?]);
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
  if (!t || !/^[0-9]{1,12}$/.test(t) || !signatures.length) return 'malformed';
  const timestamp = Number(t);
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return 'stale';
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  const ok = signatures.some((s) => {
    if (!/^[0-9a-f]{64}$/.test(s)) return false;
    return timingSafeEqual(Buffer.from(s, 'hex'), expected);
  });
  return ok ? null : 'mismatch';
}
