import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.js';

/** The token endpoint bounds secret guessing: 30 attempts per client IP and minute. */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('throttle');
});
afterAll(() => t?.stop());

describe('POST /oauth/token', () => {
  it('answers 429 with Retry-After after 30 attempts a minute from one address', async () => {
    const attempt = () =>
      fetch(new URL('/oauth/token', t.stack.gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'partner-demo-app',
          client_secret: 'guess',
        }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    const last = await attempt();
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await last.json()) as { error: string }).error).toBe('invalid_request');
  });
});
