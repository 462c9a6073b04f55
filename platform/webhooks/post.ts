import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from '../http/public-address.js';

/** What one POST came to. `error` is short and never echoes the response body. */
export interface PostOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** Retrying cannot help (e.g. the subscription is gone). */
  final?: boolean;
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: unknown; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `timed out after ${timeoutMs} ms`;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code)
    ? `connection failed (${code})`
    : 'request failed';
}

/** A resolver that answers only with the addresses already checked: no second DNS query. */
function pinned(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const first = addresses[0]!;
    if (options.all)
      callback(
        null,
        addresses.map((a) => ({ ...a })),
      );
    else callback(null, first.address, first.family);
  };
}

/**
 * POSTs `body` to `url`, connecting only to `addresses` (what the URL's host
 * resolved to when it was checked; TLS still verifies the host name), with
 * a timeout, on a fresh connection, following no redirects (a 3xx is a
 * failure: the subscriber's URL is the only place its events go). The
 * response body is discarded unread.
 */
export function post(
  url: string,
  addresses: readonly ResolvedAddress[],
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned(addresses),
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.on('error', () => undefined);
        res.resume();
        const status = res.statusCode ?? null;
        resolve(
          status !== null && status >= 200 && status < 300
            ? { ok: true, status, error: null }
            : { ok: false, status, error: `HTTP ${status ?? 'unknown'}` },
        );
      },
    );
    req.on('error', (err) => resolve({ ok: false, status: null, error: describe(err, timeoutMs) }));
    req.end(body);
  });
}
