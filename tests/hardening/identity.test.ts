import fs from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PATIENT_ID,
  DEMO_PAYER_ID,
  loadOrCreateDevClientSecret,
} from '../../gateway/clients/load.js';
import { DEV_IDS, devPrincipal } from '../../platform/identity/dev-principal.js';
import type { Principal } from '../../platform/identity/principal.js';
import { readStoredKey } from '../../platform/identity/test-support.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 11's identity findings, replayed against `npm start`'s stack (demo
 * client registry, development issuer): #3 a partner app binding any patient
 * at the token endpoint, #5 a purpose of use the token merely claims, #16
 * tokens without a bounded lifetime, #24 unknown apps running free queries.
 */
let t: TestStack;
let origin: string;

const manifest = JSON.parse(
  fs.readFileSync(
    path.resolve(import.meta.dirname, '..', '..', 'schema/operations/manifest.json'),
    'utf8',
  ),
) as { operations: { id: string; name: string }[] };
const idOf = (name: string) => ({
  persistedQuery: {
    version: 1,
    sha256Hash: manifest.operations.find((o) => o.name === name)!.id,
  },
});

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post(token: string, body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(t.stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const codes = (r: Answer) => r.body.errors?.map((e) => e.extensions?.code);

async function tokenFor(clientId: string, patient?: string) {
  const secret = await loadOrCreateDevClientSecret(t.config.keysDir, clientId);
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      ...(patient === undefined ? {} : { patient }),
    }).toString(),
  });
  return {
    status: res.status,
    body: (await res.json()) as { access_token?: string; error?: string },
  };
}

/** A token signed with the development issuer's own key, with times chosen by hand. */
async function forged(claims: Record<string, unknown>, times: { iat?: number; exp: number }) {
  const issuer = t.stack.devIssuer!;
  const { key } = await readStoredKey(t.config.keysDir, 'dev-issuer.jwk.json', 'ES256');
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: issuer.kid, typ: 'JWT' })
    .setIssuer(issuer.issuerUrl)
    .setAudience(issuer.audience)
    .setSubject('forger')
    .setExpirationTime(times.exp);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  return jwt.sign(key);
}

beforeAll(async () => {
  t = await startTestStack('hardening-identity', { CAREFED_PRODUCTION: '1' });
  origin = new URL(t.stack.gatewayUrl).origin;
});
afterAll(() => t?.stop());

describe('#3 the token endpoint binds only patients the registry lists for the client', () => {
  it('#3 refuses a patient the client is not registered for with invalid_request', async () => {
    // The reproduction: client credentials and patient=<any id> gave a token bound to that patient.
    for (const client of [DEV_IDS.partnerClient, DEV_IDS.firstPartyClient]) {
      const r = await tokenFor(client, t.demo.otherPatientId);
      expect(r.status, client).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      expect(r.body.access_token).toBeUndefined();
      const unknown = await tokenFor(client, 'no-such-patient');
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toBe('invalid_request');
    }
  });

  it('#3 still binds the demo patient npm start prints, whose persisted reads work', async () => {
    // npm start's printed curl names the demo patient: the registry lists exactly that one.
    expect(t.demo.patientId).toBe(DEMO_PATIENT_ID);
    const r = await tokenFor(DEV_IDS.partnerClient, t.demo.patientId);
    expect(r.status).toBe(200);
    const me = await post(r.body.access_token!, { extensions: idOf('PartnerPatient') });
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data?.me).toMatchObject({ patientId: t.demo.patientId });
  });
});

describe('#5 the purpose of use is bound to roles and registered clients', () => {
  const read = (token: string) =>
    post(token, { query: `{ patient(id: "${t.demo.patientId}") { id } }` });

  it('#5 refuses a clinician token claiming HOPERAT to dodge a deny scoped to TREAT', async () => {
    const patient = await t.token('patient', { patientId: t.demo.patientId });
    const recorded = await post(patient, {
      query: /* GraphQL */ `
        mutation ($p: ID!, $input: RecordConsentInput!) {
          recordConsent(patientId: $p, input: $input) {
            id
          }
        }
      `,
      variables: {
        p: t.demo.patientId,
        input: {
          scope: 'patient_privacy',
          provisions: [
            {
              type: 'deny',
              actors: [{ kind: 'practitioner', id: t.demo.practitionerId }],
              purposes: ['TREAT'],
            },
          ],
        },
      },
    });
    expect(recorded.body.errors).toBeUndefined();
    const consentId = (recorded.body.data?.recordConsent as { id: string }).id;
    try {
      const clinician = { practitionerId: t.demo.practitionerId, sub: 'purpose-clinician' };
      const treat = await read(await t.token('clinician', clinician));
      expect(codes(treat)).toEqual(['FORBIDDEN']);
      // The dev issuer no longer signs the combination...
      await expect(t.token('clinician', { ...clinician, purposeOfUse: 'HOPERAT' })).rejects.toThrow(
        /not allowed/,
      );
      // ...and the same token signed anyway (any issuer could) is refused at verification.
      const hoperat = await t.stack.devIssuer!.sign(devPrincipal('clinician', clinician), {
        extraClaims: { purpose_of_use: 'HOPERAT' },
      });
      const r = await read(hoperat);
      expect(r.status).toBe(401);
      expect(codes(r)).toEqual(['UNAUTHENTICATED']);
      expect(r.body.data ?? null).toBeNull();
    } finally {
      await post(patient, {
        query: 'mutation ($c: ID!) { revokeConsent(consentId: $c) { id } }',
        variables: { c: consentId },
      });
    }
  });

  it('#5 refuses a purpose the role allows but the registered client does not', async () => {
    // The payer's app acts for payment only; operations is a partner purpose it was never given.
    const payer: Principal = {
      sub: DEV_IDS.payerClient,
      roles: ['partner'],
      scopes: ['system/Claim.rus', 'system/Coverage.rs'],
      clientId: DEV_IDS.payerClient,
      organizationId: DEMO_PAYER_ID,
      purposeOfUse: 'HOPERAT',
    };
    const refused = await post(await t.stack.devIssuer!.sign(payer), {
      extensions: idOf('PayerClaims'),
    });
    expect(refused.status).toBe(401);
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    const ok = await post(await t.stack.devIssuer!.sign({ ...payer, purposeOfUse: 'HPAYMT' }), {
      extensions: idOf('PayerClaims'),
    });
    expect(ok.body.errors).toBeUndefined();
    // A patient app may act only at its patient's request.
    const partner = devPrincipal('partner', { patientId: t.demo.patientId });
    const asPayer = await t.stack.devIssuer!.sign(partner, {
      extraClaims: { purpose_of_use: 'HPAYMT' },
    });
    expect((await post(asPayer, { extensions: idOf('PartnerPatient') })).status).toBe(401);
  });
});

describe('#16 user tokens have a bounded lifetime', () => {
  const admin = {
    roles: ['admin'],
    client_id: DEV_IDS.firstPartyClient,
    purpose_of_use: 'HSYSADMIN',
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('#16 refuses a 100-year exp, a missing iat and an iat in the future', async () => {
    const century = now() + 100 * 365 * 86_400;
    const attempts = {
      'hundred-years': await forged(admin, { iat: now(), exp: century }),
      'no-iat': await forged(admin, { exp: now() + 600 }),
      'future-iat': await forged(admin, { iat: now() + 3600, exp: now() + 7200 }),
      'old-iat': await forged(admin, { iat: now() - 50_000, exp: now() + 600 }),
    };
    for (const [label, token] of Object.entries(attempts)) {
      const r = await post(token, { query: '{ me { subject } }' });
      expect(r.status, label).toBe(401);
      expect(codes(r), label).toEqual(['UNAUTHENTICATED']);
    }
    expect(t.logs()).toContain('too-long-lived');
    // Within the maximum (12 hours by default: npm start's demo tokens) a token is accepted.
    const fine = await forged(admin, { iat: now(), exp: now() + 43_200 });
    const ok = await post(fine, { query: '{ me { subject } }' });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.me).toEqual({ subject: 'forger' });
  });

  it('#16 the dev issuer signs nothing longer than the maximum', async () => {
    await expect(t.token('admin', {}, { expiresIn: '100y' })).rejects.toThrow(/exceeds/);
  });
});

describe('#24 unknown clients run persisted operations only, whatever the role', () => {
  it('#24 holds an unregistered app holding a patient token to the manifest', async () => {
    const stranger = await t.token('patient', {
      clientId: 'unregistered-patient-app',
      patientId: t.demo.patientId,
    });
    const text = await post(stranger, { query: '{ me { clientId patientId } }' });
    expect(text.status).toBe(400);
    expect(codes(text)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const byId = await post(stranger, { extensions: idOf('PartnerPatient') });
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data?.me).toMatchObject({
      clientId: 'unregistered-patient-app',
      patientId: t.demo.patientId,
    });
    const staff = await t.token('clinician', {
      clientId: 'unregistered-ehr',
      practitionerId: t.demo.practitionerId,
    });
    expect(codes(await post(staff, { query: '{ me { subject } }' }))).toEqual([
      'PERSISTED_QUERY_NOT_IN_LIST',
    ]);
  });

  it('#24 the registered first-party console keeps free queries, as the registry says', async () => {
    const viaConsole = await t.token('clinician', { practitionerId: t.demo.practitionerId });
    const r = await post(viaConsole, { query: '{ me { clientId } }' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.me).toEqual({ clientId: DEV_IDS.firstPartyClient });
  });
});
