import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config/index.js';
import { metricsTokenOf } from '../platform/http/metrics-token.js';
import { startStack } from '../scripts/stack.js';
import { createTestDatabase } from './support/db.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { textPartnerClients } from './support/clients.js';

/** Production settings (as `npm start -- --production` runs them): no introspection, no hints, masked faults. */
let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack('production', {
    CAREFED_PRODUCTION: '1',
    ...textPartnerClients(['partner-demo-app']),
  });
  admin = await t.token('admin');
});
afterAll(() => t?.stop());

describe('production mode', () => {
  it('#15 serves /metrics only to the operator credential', async () => {
    for (const url of [t.stack.gatewayUrl, t.stack.subgraph('patient').url]) {
      const metrics = url.replace(/\/graphql$/, '/metrics');
      expect((await fetch(metrics)).status).toBe(401);
      const operator = await fetch(metrics, {
        headers: { authorization: `Bearer ${metricsTokenOf(t.config)!}` },
      });
      expect(operator.status).toBe(200);
    }
  });

  it('refuses introspection', async () => {
    const r = await t.gql(admin, '{ __schema { types { name } } }');
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('gives no field suggestions', async () => {
    const r = await t.gql(admin, '{ patients { edges { node { nmae { family } } } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(r.errors)).not.toMatch(/Did you mean|"name"/);
  });

  it('masks an internal fault: generic message, no stack, no SQL, no table names', async () => {
    await t.sql('ALTER TABLE patient.care_team_member RENAME TO care_team_member_gone');
    try {
      const r = await t.gql(
        admin,
        `{ patient(id: "${t.demo.patientId}") { id careTeam { role } } }`,
      );
      expect(r.status).toBe(200);
      const text = JSON.stringify(r);
      expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(r.errors?.[0]?.message).toBe('Internal server error');
      expect(text).not.toMatch(/care_team_member|select|stacktrace|relation|at .*\.ts/i);
    } finally {
      await t.sql('ALTER TABLE patient.care_team_member_gone RENAME TO care_team_member');
    }
  });

  it('refuses webhook endpoints in clear or inside our own network', async () => {
    // Deliveries disclose appointments, so subscribing needs a scope that reads them (issue 11 #6):
    // with it, only the URL stands between the app and a subscription.
    const partner = await t.token('partner', {
      scopes: ['system/Subscription.cruds', 'system/Appointment.rs'],
    });
    const subscribe = (url: string) =>
      t.gql(
        partner,
        'mutation ($u: String!) { subscribeWebhook(url: $u, eventTypes: ["appointment.booked"]) { id } }',
        {
          u: url,
        },
      );
    for (const url of [
      'http://partner.example/hook',
      'https://127.0.0.1/hook',
      'https://10.0.0.8/hook',
      'https://localhost/hook',
    ]) {
      const r = await subscribe(url);
      expect(r.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
    }
  });

  it('still serves ordinary queries', async () => {
    const r = await t.gql<{ patient: { id: string } }>(
      admin,
      `{ patient(id: "${t.demo.patientId}") { id } }`,
    );
    expect(r.data?.patient.id).toBe(t.demo.patientId);
  });
});

describe('NODE_ENV=production without issuer or keys', () => {
  it('refuses to start and names what is missing', async () => {
    const db = await createTestDatabase('prodstart');
    try {
      const base = {
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        DATA_DIR: '.data/prodstart',
        LOG_LEVEL: 'silent',
      };
      const refusal = await startStack({
        config: loadConfig(base),
        seed: false,
        ephemeralPorts: true,
      }).catch((err: Error) => err.message);
      for (const name of [
        'CAREFED_KEK',
        'CAREFED_INDEX_KEY',
        'CAREFED_DB_ROLE_KEY',
        'OIDC_ISSUER',
        'GATEWAY_SIGNING_KEY_FILE',
        'AUDIT_SIGNING_KEY_FILE',
      ])
        expect(refusal).toContain(name);
      const key = () => Buffer.alloc(32, 7).toString('base64');
      const withKeys = {
        ...base,
        CAREFED_KEK: key(),
        CAREFED_INDEX_KEY: key(),
        CAREFED_DB_ROLE_KEY: key(),
      };
      const second = await startStack({
        config: loadConfig(withKeys),
        seed: false,
        ephemeralPorts: true,
      }).catch((err: Error) => err.message);
      expect(second).toContain('OIDC_ISSUER');
      expect(second).not.toContain('CAREFED_KEK');
    } finally {
      await db.drop();
    }
  });
});
