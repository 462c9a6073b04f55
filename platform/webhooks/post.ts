/** What one POST came to. `error` is short and never echoes the response body. */
export interface PostOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** Retrying cannot help (e.g. the subscription is gone). */
  final?: boolean;
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `timed out after ${timeoutMs} ms`;
  const code = e?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code)
    ? `connection failed (${code})`
    : 'request failed';
}

/**
 * POSTs `body` with a timeout, following no redirects (a 3xx is a failure:
 * the subscriber's URL is the only place its events go). The response body
 * is discarded unread.
 */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    const status = res.status || null;
    return res.ok
      ? { ok: true, status, error: null }
      : { ok: false, status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, status: null, error: describe(err, timeoutMs) };
  }
}
