import { importJWK, jwtVerify, SignJWT } from 'jose';
import { IANAZone } from 'luxon';
import { DevIssuer, devPrincipal } from '../platform/identity/dev-issuer.js';
import {
  createInternalTokenVerifier,
  InternalTokenSigner,
  subgraphAudience,
} from '../platform/identity/internal-token.js';
import { claimsFromPrincipal } from '../platform/identity/claims.js';
import { operationHash } from '../platform/identity/operation-hash.js';
import { readStoredKey, tempKeysDir } from '../platform/identity/test-support.js';
import { createTokenVerifier } from '../platform/identity/verify.js';
import { isKnownTimeZone } from '../platform/time/local-time.js';

/**
 * CPU per call of the per-request security work issue 12 named, old way
 * against new, in alternating rounds: the gateway→subgraph token (jose's
 * SignJWT + jwtVerify against node:crypto with key objects made once), the
 * user token (full ES256 verification against a cache hit) and the time-zone
 * check (luxon's against the memo). `npm run bench:hot-paths`; HOT_ROUNDS (default 3).
 */
const rounds = Number(process.env.HOT_ROUNDS ?? 3);
const tmp = await tempKeysDir();
try {
  const signer = await InternalTokenSigner.load(tmp.dir);
  const verifier = createInternalTokenVerifier(signer.publicJwk);
  const { key: privateKey } = await readStoredKey(tmp.dir, 'gateway-signing.jwk.json', 'EdDSA');
  const publicKey = await importJWK(signer.publicJwk, 'EdDSA');
  const principal = devPrincipal('clinician', { practitionerId: 'prac-1' });
  const operation = { query: '{ patient(id: "p") { id } }', variables: {} };
  const target = { requestId: 'r', subgraph: 'patient', operation };
  const issuer = await DevIssuer.load(tmp.dir, 'http://localhost:4000', 'carefed-api');
  const userToken = await issuer.sign(principal);
  const verifierOf = (entries: number) =>
    createTokenVerifier({
      issuer: 'http://localhost:4000',
      audience: 'carefed-api',
      algorithms: ['ES256'],
      jwks: issuer.jwks(),
      verifiedTokenCacheEntries: entries,
    });
  const uncached = verifierOf(0);
  const cached = verifierOf(100);

  const cases: Record<string, [number, () => unknown]> = {
    'internal token, jose sign + verify': [
      2000,
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({
          ...claimsFromPrincipal(principal),
          rid: 'r',
          oph: operationHash(operation),
        })
          .setProtectedHeader({ alg: 'EdDSA', kid: signer.publicJwk.kid, typ: 'x' })
          .setIssuer('carefed-gateway')
          .setAudience(subgraphAudience('patient'))
          .setJti(crypto.randomUUID())
          .setIssuedAt(now)
          .setExpirationTime(now + 10)
          .sign(privateKey);
        await jwtVerify(token, publicKey, { audience: subgraphAudience('patient') });
      },
    ],
    'internal token, node:crypto sign + verify': [
      2000,
      () => verifier.verify(signer.signNow(principal, target), { subgraph: 'patient', operation }),
    ],
    'user token, full ES256 verification': [2000, () => uncached.verify(userToken)],
    'user token, cache hit': [2000, () => cached.verify(userToken)],
    "time zone, luxon's isValidZone": [20000, () => IANAZone.isValidZone('America/New_York')],
    'time zone, memoised isKnownTimeZone': [20000, () => isKnownTimeZone('America/New_York')],
  };
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++)
    for (const [name, [n, fn]] of Object.entries(cases)) {
      for (let i = 0; i < 50; i++) await fn();
      const before = process.cpuUsage();
      for (let i = 0; i < n; i++) await fn();
      const used = process.cpuUsage(before);
      const us = (used.user + used.system) / n;
      best.set(name, Math.min(best.get(name) ?? Infinity, us));
    }
  console.log(`CPU per call, best of ${rounds} alternating rounds`);
  for (const [name, us] of best) console.log(`${name.padEnd(44)} ${us.toFixed(1).padStart(8)} µs`);
  await verifier.close();
} finally {
  await tmp.remove();
}
