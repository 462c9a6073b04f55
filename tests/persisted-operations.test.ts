import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
  type ErrorLike,
} from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import {
  generatePersistedQueryIdsFromManifest,
  sortTopLevelDefinitions,
} from '@apollo/persisted-query-lists';
import { print } from 'graphql';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevClientSecret } from '../gateway/clients/load.js';
import { DEV_IDS } from '../platform/identity/dev-principal.js';
import {
  PartnerPatientDocument,
  PatientAccessLogDocument,
  PatientAppointmentsDocument,
  PatientByIdDocument,
  PatientConsentsDocument,
} from '../schema/generated/graphql.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Partner apps through the gateway in production mode: the development
 * issuer's client-credentials token endpoint, and safelisting. A real client
 * (Apollo Client with Apollo's persisted-query link, configured from the
 * committed manifest and using the generated typed documents) sends only ids
 * and gets data; the same operations sent as text are refused with
 * PERSISTED_QUERY_NOT_IN_LIST; first-party clients keep text and APQ.
 */
interface Manifest {
  operations: {
    id: string;
    name: string;
    type: 'query' | 'mutation' | 'subscription';
    body: string;
  }[];
}
const manifest = JSON.parse(
  fs.readFileSync(
    path.resolve(import.meta.dirname, '..', 'schema/operations/manifest.json'),
    'utf8',
  ),
) as Manifest;
const entry = (name: string) => manifest.operations.find((o) => o.name === name)!;

let t: TestStack;
let origin: string;
const secrets: Record<string, string> = {};
const PARTNER = DEV_IDS.partnerClient;
const CONSOLE = DEV_IDS.firstPartyClient;

beforeAll(async () => {
  t = await startTestStack('persisted', { CAREFED_PRODUCTION: '1' });
  origin = new URL(t.stack.gatewayUrl).origin;
  for (const id of [PARTNER, CONSOLE])
    secrets[id] = await loadOrCreateDevClientSecret(t.config.keysDir, id);
});
afterAll(() => t?.stop());

interface TokenAnswer {
  status: number;
  headers: Headers;
  body: {
    access_token?: string;
    token_type?: string;
    expires_in?: number;
    scope?: string;
    patient?: string;
    error?: string;
    error_description?: string;
  };
}

async function tokenRequest(
  params: Record<string, string>,
  opts: { basic?: [string, string]; contentType?: string; raw?: string } = {},
): Promise<TokenAnswer> {
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
  };
  if (opts.basic) {
    const [id, secret] = opts.basic.map((s) => encodeURIComponent(s));
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers,
    body: opts.raw ?? new URLSearchParams(params).toString(),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as TokenAnswer['body'],
  };
}

const clientCredentials = (clientId: string, extra: Record<string, string> = {}) =>
  tokenRequest({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secrets[clientId]!,
    ...extra,
  });

async function partnerToken(extra: Record<string, string> = {}): Promise<string> {
  const r = await clientCredentials(PARTNER, { patient: t.demo.patientId, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.access_token!;
}

/** What went over the wire, to check that only ids were sent. */
const sent: Record<string, unknown>[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
  return fetch(input, init);
};

/**
 * Checks, as Apollo's verification link does, that what the client would
 * print for each operation is byte for byte the manifest body the id names.
 */
const mismatches: string[] = [];
const verifyAgainstManifest = new ApolloLink((operation, forward) => {
  const body = print(sortTopLevelDefinitions(operation.query));
  const listed = entry(operation.operationName ?? '');
  if (listed?.body !== body) mismatches.push(operation.operationName ?? '(anonymous)');
  return forward(operation);
});

function persistedClient(token: string): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      verifyAgainstManifest,
      createPersistedQueryLink(
        generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest }),
      ),
      new HttpLink({
        uri: t.stack.gatewayUrl,
        headers: { authorization: `Bearer ${token}` },
        fetch: recordingFetch,
      }),
    ]),
  });
}

function textClient(token: string): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: new HttpLink({
      uri: t.stack.gatewayUrl,
      headers: { authorization: `Bearer ${token}` },
      fetch: recordingFetch,
    }),
  });
}

/** The `extensions.code` of every GraphQL error an Apollo Client error carries. */
function codesOf(error: ErrorLike | undefined): (string | undefined)[] {
  if (CombinedGraphQLErrors.is(error))
    return error.errors.map((e) => e.extensions?.code as string | undefined);
  if (ServerError.is(error)) {
    const body = JSON.parse(error.bodyText) as { errors?: { extensions?: { code?: string } }[] };
    return (body.errors ?? []).map((e) => e.extensions?.code);
  }
  return [error?.message];
}

/** Raw GraphQL over HTTP, for requests Apollo Client would not make. */
async function post(token: string, body: object) {
  const res = await fetch(t.stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

const idOf = (name: string) => ({ persistedQuery: { version: 1, sha256Hash: entry(name).id } });

describe('the token endpoint (OAuth 2.0 client credentials)', () => {
  it('grants the demo partner app a token bound to its patient, with its scopes, role partner and client id', async () => {
    const r = await clientCredentials(PARTNER, { patient: t.demo.patientId });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope:
        'patient/Patient.rs patient/Consent.rs patient/AuditEvent.rs patient/Appointment.rs patient/Coverage.rs patient/Account.crs patient/ChargeItem.rs',
      patient: t.demo.patientId,
    });
    const claims = decodeJwt(r.body.access_token!);
    expect(claims).toMatchObject({
      sub: PARTNER,
      client_id: PARTNER,
      roles: ['partner'],
      patient: t.demo.patientId,
      scope: r.body.scope,
      purpose_of_use: 'PATRQT',
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    const discovery = (await (
      await fetch(`${origin}/.well-known/openid-configuration`)
    ).json()) as { token_endpoint: string; grant_types_supported: string[] };
    expect(new URL(discovery.token_endpoint).pathname).toBe('/oauth/token');
    expect(discovery.grant_types_supported).toEqual(['client_credentials']);
  });

  it('accepts HTTP Basic client authentication', async () => {
    const r = await tokenRequest(
      { grant_type: 'client_credentials', patient: t.demo.patientId },
      { basic: [PARTNER, secrets[PARTNER]!] },
    );
    expect(r.status).toBe(200);
    expect(decodeJwt(r.body.access_token!).client_id).toBe(PARTNER);
  });

  it('refuses a wrong secret, an unknown client and a missing secret with invalid_client (401)', async () => {
    const attempts = [
      tokenRequest({
        grant_type: 'client_credentials',
        client_id: PARTNER,
        client_secret: `${secrets[PARTNER]!}x`,
        patient: t.demo.patientId,
      }),
      tokenRequest({
        grant_type: 'client_credentials',
        client_id: 'no-such-app',
        client_secret: secrets[PARTNER]!,
      }),
      tokenRequest({ grant_type: 'client_credentials', client_id: PARTNER }),
      tokenRequest({ grant_type: 'client_credentials' }, { basic: [PARTNER, 'wrong'] }),
    ];
    for (const r of await Promise.all(attempts)) {
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('invalid_client');
      expect(r.body.access_token).toBeUndefined();
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    expect(t.logs()).not.toContain(secrets[PARTNER]);
  });

  it('narrows the scopes to those requested and allowed; none allowed is invalid_scope', async () => {
    const narrowed = await clientCredentials(PARTNER, {
      patient: t.demo.patientId,
      scope: 'patient/Patient.rs patient/Observation.rs user/*.cruds patient/Consent.r',
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('patient/Patient.rs patient/Consent.r');
    expect(decodeJwt(narrowed.body.access_token!).scope).toBe(
      'patient/Patient.rs patient/Consent.r',
    );

    const none = await clientCredentials(PARTNER, {
      patient: t.demo.patientId,
      scope: 'user/*.cruds system/Patient.rs',
    });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('invalid_scope');

    // The narrowed token really is narrower: the access log needs patient/AuditEvent.
    const client = persistedClient(narrowed.body.access_token!);
    const log = await client.query({
      query: PatientAccessLogDocument,
      variables: { patientId: t.demo.patientId, first: 5 },
      errorPolicy: 'all',
    });
    expect(codesOf(log.error)).toEqual(['FORBIDDEN']);
  });

  it('binds the token to the patient named at token time, as the client’s rule requires', async () => {
    const missing = await clientCredentials(PARTNER);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');

    const malformed = await clientCredentials(PARTNER, { patient: 'not a patient id!' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_request');

    // The first-party console may act for a patient or for none.
    const unbound = await clientCredentials(CONSOLE);
    expect(unbound.status).toBe(200);
    expect(decodeJwt(unbound.body.access_token!).patient).toBeUndefined();

    // A bound partner sees its patient and no other.
    const client = persistedClient(await partnerToken());
    const own = await client.query({
      query: PatientByIdDocument,
      variables: { id: t.demo.patientId },
      errorPolicy: 'all',
    });
    expect(own.data?.patient?.id).toBe(t.demo.patientId);
    const other = await client.query({
      query: PatientByIdDocument,
      variables: { id: t.demo.otherPatientId },
      errorPolicy: 'all',
    });
    expect(other.data?.patient ?? null).toBeNull();
  });

  it('answers other grant types with unsupported_grant_type, and malformed requests with invalid_request', async () => {
    const password = await tokenRequest({
      grant_type: 'password',
      client_id: PARTNER,
      client_secret: secrets[PARTNER]!,
    });
    expect(password.status).toBe(400);
    expect(password.body.error).toBe('unsupported_grant_type');

    const noGrant = await tokenRequest({ client_id: PARTNER, client_secret: secrets[PARTNER]! });
    expect(noGrant.body.error).toBe('invalid_request');

    const json = await tokenRequest(
      {},
      {
        contentType: 'application/json',
        raw: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: PARTNER,
          client_secret: secrets[PARTNER],
        }),
      },
    );
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');

    const twice = await tokenRequest(
      {},
      {
        raw: `grant_type=client_credentials&client_id=${PARTNER}&client_secret=${secrets[PARTNER]!}&patient=${t.demo.patientId}&patient=${t.demo.otherPatientId}`,
      },
    );
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe('invalid_request');
  });
});

describe('a persisted-only partner app', () => {
  it('runs the manifest’s operations through Apollo Client, sending only their ids', async () => {
    sent.length = 0;
    mismatches.length = 0;
    const client = persistedClient(await partnerToken());

    const me = await client.query({ query: PartnerPatientDocument });
    expect(me.error).toBeUndefined();
    expect(me.data?.me).toMatchObject({
      clientId: PARTNER,
      patientId: t.demo.patientId,
      patient: { id: t.demo.patientId, active: true },
    });
    expect(me.data?.me.patient?.name?.family).toEqual(expect.any(String));

    const consents = await client.query({
      query: PatientConsentsDocument,
      variables: { id: t.demo.patientId },
    });
    expect(consents.error).toBeUndefined();
    expect(consents.data?.patient?.id).toBe(t.demo.patientId);
    expect(Array.isArray(consents.data?.patient?.consents)).toBe(true);

    const appointments = await client.query({
      query: PatientAppointmentsDocument,
      variables: { id: t.demo.patientId, first: 5 },
    });
    expect(appointments.error).toBeUndefined();
    expect(appointments.data?.patient?.appointments.pageInfo).toBeDefined();

    const log = await client.query({
      query: PatientAccessLogDocument,
      variables: { patientId: t.demo.patientId, first: 50 },
    });
    expect(log.error).toBeUndefined();
    // The partner's own reads are in the patient's access log, under its client id.
    const entries = log.data!.accessLog.edges.map((e) => e.node);
    expect(entries.some((e) => e.clientId === PARTNER && e.resourceType === 'Patient')).toBe(true);

    expect(mismatches).toEqual([]);
    expect(sent).toHaveLength(4);
    for (const body of sent) {
      expect(body).not.toHaveProperty('query');
      const hash = (body.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery
        .sha256Hash;
      expect(manifest.operations.map((o) => o.id)).toContain(hash);
    }
  });

  it('is refused with PERSISTED_QUERY_NOT_IN_LIST when the same client sends query text', async () => {
    sent.length = 0;
    const client = textClient(await partnerToken());
    const results = [
      await client.query({ query: PartnerPatientDocument, errorPolicy: 'all' }),
      await client.query({
        query: PatientByIdDocument,
        variables: { id: t.demo.patientId },
        errorPolicy: 'all',
      }),
    ];
    for (const r of results) {
      expect(r.data ?? null).toBeNull();
      expect(codesOf(r.error)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    }
    // It did send the very bodies the manifest lists.
    expect(sent.map((b) => b.query)).toEqual([
      entry('PartnerPatient').body,
      entry('PatientById').body,
    ]);
  });

  it('is refused for text identical to a manifest body (with or without its id), other text, no id, and ids not in the list', async () => {
    const token = await partnerToken();
    const body = entry('PartnerPatient').body;
    const refusals = await Promise.all([
      post(token, { query: body }),
      post(token, { query: body, extensions: idOf('PartnerPatient') }),
      post(token, {
        extensions: {
          persistedQuery: {
            version: 1,
            sha256Hash: createHash('sha256').update('{ me { subject } }').digest('hex'),
          },
        },
      }),
      post(token, { query: '{ me { subject } }' }),
      post(token, { query: 'this is { not graphql' }),
      post(token, { operationName: 'PartnerPatient' }),
    ]);
    for (const r of refusals) {
      expect(r.status).toBe(400);
      expect(r.body.data ?? null).toBeNull();
      expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual([
        'PERSISTED_QUERY_NOT_IN_LIST',
      ]);
    }
    // The id alone works for the same token.
    const ok = await post(token, { extensions: idOf('PartnerPatient') });
    expect(ok.status).toBe(200);
    expect((ok.body.data?.me as { clientId: string }).clientId).toBe(PARTNER);
  });

  it('holds a partner app the registry does not list to the manifest too', async () => {
    const stranger = await t.token('partner', {
      clientId: 'partner-unregistered-app',
      patientId: t.demo.patientId,
    });
    const text = await post(stranger, { query: '{ me { clientId } }' });
    expect(text.body.errors?.map((e) => e.extensions?.code)).toEqual([
      'PERSISTED_QUERY_NOT_IN_LIST',
    ]);
    const byId = await post(stranger, { extensions: idOf('PartnerPatient') });
    expect((byId.body.data?.me as { clientId: string }).clientId).toBe('partner-unregistered-app');
  });
});

describe('first-party clients', () => {
  it('send query text: the console’s client-credentials token and a patient user’s token', async () => {
    const consoleToken = (await clientCredentials(CONSOLE, { patient: t.demo.patientId })).body
      .access_token!;
    const userToken = await t.token('patient', { patientId: t.demo.patientId });
    expect(decodeJwt(userToken).client_id).toBe(CONSOLE);
    for (const token of [consoleToken, userToken]) {
      const r = await textClient(token).query({
        query: PatientByIdDocument,
        variables: { id: t.demo.patientId },
        errorPolicy: 'all',
      });
      expect(r.error).toBeUndefined();
      expect(r.data?.patient?.id).toBe(t.demo.patientId);
      const free = await post(token, { query: '{ me { clientId patientId } }' });
      expect(free.status).toBe(200);
      expect(free.body.data?.me).toMatchObject({ clientId: CONSOLE, patientId: t.demo.patientId });
    }
  });

  it('keep automatic persisted queries, and may run manifest ids unregistered', async () => {
    const token = await t.token('patient', { patientId: t.demo.patientId });
    const query = `{ me { patientId roles } } # apq ${Date.now()}`;
    const hash = createHash('sha256').update(query).digest('hex');
    const apq = { persistedQuery: { version: 1, sha256Hash: hash } };
    const unknown = await post(token, { extensions: apq });
    expect(unknown.body.errors?.map((e) => e.extensions?.code)).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
    const registered = await post(token, { query, extensions: apq });
    expect(registered.body.data?.me).toMatchObject({ patientId: t.demo.patientId });
    const byHash = await post(token, { extensions: apq });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data?.me).toMatchObject({ patientId: t.demo.patientId });

    const listed = await post(token, { extensions: idOf('PartnerPatient') });
    expect(listed.body.errors).toBeUndefined();
    expect((listed.body.data?.me as { patientId: string }).patientId).toBe(t.demo.patientId);
  });
});
