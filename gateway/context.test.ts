import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import {
  createInternalTokenVerifier,
  InternalTokenSigner,
} from '../platform/identity/internal-token.js';
import { internalTokenOf, type GatewayContext } from './context.js';

let dir: string;
let signer: InternalTokenSigner;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-context-'));
  signer = await InternalTokenSigner.load(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const context = (requestId: string): GatewayContext => ({
  principal: devPrincipal('clinician', { practitionerId: 'prac-1' }),
  requestId,
  ip: '127.0.0.1',
});

describe('internalTokenOf', () => {
  it('signs once per request, however many subgraph fetches ask, and the token carries that request', async () => {
    const sign = vi.spyOn(signer, 'sign');
    const one = context('req-1');
    const tokens = await Promise.all([1, 2, 3].map(() => internalTokenOf(one, signer)));
    expect(sign).toHaveBeenCalledTimes(1);
    expect(new Set(tokens).size).toBe(1);
    const verified = await createInternalTokenVerifier(signer.publicJwk).verify(tokens[0]!);
    expect(verified).toMatchObject({ requestId: 'req-1', ip: '127.0.0.1' });
    expect(verified.principal.practitionerId).toBe('prac-1');

    // Another request gets its own token.
    const other = await internalTokenOf(context('req-2'), signer);
    expect(sign).toHaveBeenCalledTimes(2);
    expect((await createInternalTokenVerifier(signer.publicJwk).verify(other)).requestId).toBe(
      'req-2',
    );
    sign.mockRestore();
  });

  it('signs again once the token is 30 s old, and keeps no failed signing', async () => {
    const sign = vi.spyOn(signer, 'sign');
    const ctx = context('req-3');
    const t0 = Date.now();
    const first = await internalTokenOf(ctx, signer, t0);
    expect(await internalTokenOf(ctx, signer, t0 + 29_000)).toBe(first);
    expect(sign).toHaveBeenCalledTimes(1);
    await internalTokenOf(ctx, signer, t0 + 31_000);
    expect(sign).toHaveBeenCalledTimes(2);

    const failing = context('req-4');
    sign.mockRejectedValueOnce(new Error('key unavailable'));
    await expect(internalTokenOf(failing, signer)).rejects.toThrow('key unavailable');
    await new Promise((r) => setImmediate(r));
    await expect(internalTokenOf(failing, signer)).resolves.toEqual(expect.any(String));
    expect(sign).toHaveBeenCalledTimes(4);
    sign.mockRestore();
  });
});
