import { describe, expect, it } from 'vitest';
import { FETCH_BLOCKED_PORTS, blockedPortProblem } from './bad-ports.js';

/** Why Node's fetch refused a URL, or 'other' when it got past the port check. */
async function refusal(port: number): Promise<string> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return 'other';
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause;
    return cause?.message === 'bad port' ? 'bad port' : 'other';
  }
}

describe('blocked fetch ports', () => {
  it("#26 match the running Node's fetch", async () => {
    for (const port of FETCH_BLOCKED_PORTS)
      expect(await refusal(port), String(port)).toBe('bad port');
    for (const port of [4000, 4101, 5999, 6001, 6670, 10081])
      expect(await refusal(port), String(port)).toBe('other');
    expect(blockedPortProblem(6000)).toMatch(/bad port/);
    expect(blockedPortProblem(4000)).toBeUndefined();
  });
});
