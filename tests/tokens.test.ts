import { createPublicKey, randomUUID } from 'node:crypto';
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsFromPrincipal } from '../platform/identity/claims.js';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import { InternalTokenSigner } from '../platform/identity/internal-token.js';
import { b64json, readStoredKey } from '../platform/identity/test-support.js';
import { INTERNAL_TOKEN_HEADER } from '../platform/federation/subgraph-server.js';
import { demoOverrides, startTestStack, type TestStack } from './support/stack.js';

/**
 * Bearer tokens the gateway must refuse (HTTP 401, UNAUTHENTICATED, nothing
 * echoed), and the patient subgraph refusing anything but a gateway token.
 */
let t: TestStack;
let issuerKey: CryptoKey;
let issuerKid: string;
let issuer: string;
/** Every token sent in this file, to prove none comes back or reaches the logs. */
const sent: string[] = [];

beforeAll(async () => {
  t = await startTestStack('tokens');
  const stored = await readStoredKey(t.config.keysDir, 'dev-issuer.jwk.json', 'ES256');
  issuerKey = stored.key;
  issuerKid = t.stack.devIssuer!.kid;
  issuer = t.stack.devIssuer!.openidConfiguration().issuer as string;
});
afterAll(() => t?.stop());

const ME = /* GraphQL */ `
  {
    me {
      subject
      roles
      patientId
    }
  }
`;

/** The demo patient's claims, as the dev issuer would put them in a token. */
function patientClaims(): JWTPayload {
  return { ...claimsFromPrincipal(devPrincipal('patient', demoOverrides(t).patient)) };
}

interface SignOptions {
  claims?: JWTPayload;
  key?: CryptoKey | Uint8Array;
  header?: { alg: string; kid?: string };
  iss?: string;
  aud?: string;
  /** Seconds from now; null leaves `exp` out. */
  exp?: number | null;
  /** Seconds from now. */
  nbf?: number;
}

/** A JWT built by hand with jose: by default exactly what the dev issuer signs. */
async function forge(opts: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(opts.claims ?? patientClaims())
    .setProtectedHeader({ alg: 'ES256', kid: issuerKid, typ: 'JWT', ...opts.header })
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? t.config.OIDC_AUDIENCE)
    .setIssuedAt(now)
    .setJti(randomUUID());
  if (opts.exp !== null) jwt.setExpirationTime(now + (opts.exp ?? 3600));
  if (opts.nbf !== undefined) jwt.setNotBefore(now + opts.nbf);
  return jwt.sign(opts.key ?? issuerKey);
}

interface RawResponse {
  status: number;
  text: string;
  headers: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

/** POSTs a query with the given headers and keeps the raw answer, to look for echoes. */
async function post(url: string, headers: Record<string, string>): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: ME }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    headers: JSON.stringify([...res.headers]),
    body: JSON.parse(text) as RawResponse['body'],
  };
}

function bearer(token: string): Record<string, string> {
  sent.push(token);
  return { authorization: `Bearer ${token}` };
}

/** Asserts a refusal that says nothing about the token and gives no data. */
function expectRefused(r: RawResponse, token?: string): void {
  expect(r.status).toBe(401);
  expect(r.body.data ?? null).toBeNull();
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  if (token) {
    for (const part of token.split('.').filter((p) => p.length >= 8)) {
      expect(r.text).not.toContain(part);
      expect(r.headers).not.toContain(part);
    }
  }
}

const BAD_TOKENS: [string, () => string | Promise<string>][] = [
  [
    'alg none (unsigned, valid-looking claims)',
    () => {
      const now = Math.floor(Date.now() / 1000);
      return new UnsecuredJWT(patientClaims())
        .setIssuer(issuer)
        .setAudience(t.config.OIDC_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .encode();
    },
  ],
  [
    'alg none with the issuer kid and an empty signature',
    () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        ...patientClaims(),
        iss: issuer,
        aud: t.config.OIDC_AUDIENCE,
        iat: now,
        exp: now + 3600,
      };
      return `${b64json({ alg: 'none', kid: issuerKid, typ: 'JWT' })}.${b64json(payload)}.`;
    },
  ],
  [
    'HS256 keyed with the issuer public key as PEM (key confusion)',
    async () => {
      const jwk = t.stack.devIssuer!.jwks().keys[0]!;
      const pem = createPublicKey({ key: jwk, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      return forge({ header: { alg: 'HS256', kid: issuerKid }, key: Buffer.from(pem) });
    },
  ],
  [
    'HS256 keyed with the published JWK JSON bytes (key confusion)',
    async () => {
      const origin = new URL(t.stack.gatewayUrl).origin;
      const jwks = (await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as {
        keys: JWK[];
      };
      return forge({
        header: { alg: 'HS256', kid: issuerKid },
        key: Buffer.from(JSON.stringify(jwks.keys[0])),
      });
    },
  ],
  ['expired two minutes ago', () => forge({ exp: -120 })],
  ['not yet valid (nbf in ten minutes)', () => forge({ nbf: 600 })],
  ['without exp', () => forge({ exp: null })],
  ['wrong issuer', () => forge({ iss: 'https://issuer.example.org' })],
  ['issuer with a trailing slash', () => forge({ iss: `${issuer}/` })],
  ['wrong audience', () => forge({ aud: 'some-other-api' })],
  [
    'tampered payload (role changed to admin, signature kept)',
    async () => {
      const [header, payload, signature] = (await forge()).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as JWTPayload;
      return `${header}.${b64json({ ...claims, roles: ['admin'], scope: 'user/*.cruds' })}.${signature}`;
    },
  ],
  [
    'signed by a fresh ES256 key with an unknown kid',
    async () => {
      const { privateKey } = await generateKeyPair('ES256');
      return forge({ header: { alg: 'ES256', kid: 'not-a-known-key' }, key: privateKey });
    },
  ],
  [
    'signed by a fresh ES256 key claiming the issuer kid',
    async () => {
      const { privateKey } = await generateKeyPair('ES256');
      return forge({ key: privateKey });
    },
  ],
  ['not a JWT at all', () => 'not.a.jwt'],
];

describe('gateway token checks', () => {
  it('accepts a token signed by the dev issuer (control)', async () => {
    const token = await forge();
    const r = await post(t.stack.gatewayUrl, bearer(token));
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({
      me: { subject: 'dev-patient', roles: ['patient'], patientId: t.demo.patientId },
    });
  });

  it('serves the dev issuer public key only', async () => {
    const origin = new URL(t.stack.gatewayUrl).origin;
    const jwks = (await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]!.kid).toBe(issuerKid);
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  it('refuses a request without a token', async () => {
    expectRefused(await post(t.stack.gatewayUrl, {}));
  });

  it('refuses a non-Bearer authorization header', async () => {
    const token = await forge();
    sent.push(token);
    expectRefused(await post(t.stack.gatewayUrl, { authorization: `Basic ${token}` }), token);
  });

  for (const [name, make] of BAD_TOKENS) {
    it(`refuses a token ${name}`, async () => {
      const token = await make();
      expectRefused(await post(t.stack.gatewayUrl, bearer(token)), token);
    });
  }

  it('gives the same answer whatever check failed', async () => {
    const answers = new Set<string>();
    for (const make of [() => forge({ exp: -120 }), () => forge({ aud: 'x' })]) {
      const r = await post(t.stack.gatewayUrl, bearer(await make()));
      answers.add(JSON.stringify({ status: r.status, errors: r.body.errors }));
    }
    expect(answers.size).toBe(1);
  });

  it('never writes a token to the logs', () => {
    expect(sent.length).toBeGreaterThan(BAD_TOKENS.length);
    const logs = t.logs();
    expect(logs).toContain('token refused');
    for (const token of sent) {
      const signature = token.split('.')[2];
      expect(logs).not.toContain(token);
      if (signature && signature.length >= 8) expect(logs).not.toContain(signature);
    }
  });
});

describe('patient subgraph reached directly', () => {
  async function internalToken(signer: InternalTokenSigner): Promise<string> {
    return signer.sign(devPrincipal('patient', demoOverrides(t).patient), {
      requestId: `direct-${randomUUID()}`,
      subgraph: 'patient',
      operation: { query: ME },
    });
  }

  it('accepts an internal token signed with the gateway key (control)', async () => {
    const signer = await InternalTokenSigner.load(t.config.keysDir);
    const r = await post(t.stack.subgraph('patient').url, {
      [INTERNAL_TOKEN_HEADER]: await internalToken(signer),
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      me: { subject: 'dev-patient', roles: ['patient'], patientId: t.demo.patientId },
    });
  });

  it('refuses a request with no internal token', async () => {
    expectRefused(await post(t.stack.subgraph('patient').url, {}));
  });

  it("refuses the user's own bearer token", async () => {
    const token = await t.token('patient', demoOverrides(t).patient);
    expectRefused(await post(t.stack.subgraph('patient').url, bearer(token)), token);
  });

  it("refuses the user's own bearer token in the internal header", async () => {
    const token = await t.token('patient', demoOverrides(t).patient);
    sent.push(token);
    expectRefused(
      await post(t.stack.subgraph('patient').url, { [INTERNAL_TOKEN_HEADER]: token }),
      token,
    );
  });

  it('refuses an internal token signed by another Ed25519 key', async () => {
    const gatewayKid = (await InternalTokenSigner.load(t.config.keysDir)).publicJwk.kid;
    for (const kid of ['other-gateway-key', gatewayKid]) {
      const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
      const signer = await InternalTokenSigner.load({ ...(await exportJWK(privateKey)), kid });
      const token = await internalToken(signer);
      expect(decodeProtectedHeader(token).kid).toBe(kid);
      sent.push(token);
      expectRefused(
        await post(t.stack.subgraph('patient').url, { [INTERNAL_TOKEN_HEADER]: token }),
        token,
      );
    }
  });
});
