import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { loadConfig, type Config } from '../../platform/config/index.js';
import { devPrincipal } from '../../platform/identity/dev-issuer.js';
import type { Principal, Role } from '../../platform/identity/principal.js';
import { createLogger } from '../../platform/log/index.js';
import { demoSubjects } from '../../scripts/demo-tokens.js';
import { startStack, type Stack } from '../../scripts/stack.js';
import { metricsTokenOf } from '../../platform/http/metrics-token.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { useMetricsToken } from './metrics.js';

/** A GraphQL answer over real HTTP. */
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; [k: string]: unknown };
  }[];
}

/** The whole stack on a fresh database, with helpers to call it as any role. */
export interface TestStack {
  stack: Stack;
  config: Config;
  db: TestDatabase;
  /** The demo patient and a practitioner on their care team. */
  demo: {
    patientId: string;
    practitionerId: string;
    otherPatientId: string;
    otherPractitionerId: string;
  };
  /** Everything the services logged, for PHI canary checks. */
  logs: () => string;
  token(
    role: Role,
    overrides?: Partial<Principal>,
    opts?: { expiresIn?: string | number },
  ): Promise<string>;
  gql<T = Record<string, unknown>>(
    token: string | undefined,
    query: string,
    variables?: object,
  ): Promise<GqlResponse<T>>;
  /** Runs SQL as the database superuser. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<R[]>;
  stop(): Promise<void>;
}

/** Environment for a stack seeded with the demo facility directory (Kansas) and its Location links. */
export const WITH_FACILITIES = { SEED_FACILITIES: 'demo' } as const;

/** Roles are cluster-wide: drop this stack's once its database is gone. */
async function dropRoles(db: TestDatabase, prefix: string): Promise<void> {
  const admin = new pg.Client(new URL('/postgres', db.url).toString());
  await admin.connect();
  try {
    const { rows } = await admin.query<{ rolname: string }>(
      'SELECT rolname FROM pg_roles WHERE rolname LIKE $1',
      [`${prefix}\_%`],
    );
    for (const { rolname } of rows) await admin.query(`DROP ROLE IF EXISTS "${rolname}"`);
  } finally {
    await admin.end();
  }
}

/** Starts the stack (gateway and subgraphs on free ports) on its own database, seeded with the demo data. */
export async function startTestStack(
  label: string,
  env: Record<string, string> = {},
): Promise<TestStack> {
  const db = await createTestDatabase(label);
  const dataDir = path.resolve('.data', 'e2e', `${label}-${randomBytes(4).toString('hex')}`);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    DB_ROLE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'info',
    // Suites make hundreds of calls a minute with one token; rate-limit tests set their own.
    RATE_LIMIT_PER_CLIENT: '1000000',
    RATE_LIMIT_PER_USER: '1000000',
    RATE_LIMIT_PER_ADDRESS: '1000000',

    // A loaded CI machine can delay the access-fact heartbeat by seconds; the freshness
    // tests (tests/hardening/kernel.test.ts) set the bound they check.
    // Beats rarely, so statement-count tests seldom see one (consumers count the heartbeat job).
    ACCESS_FACTS_MAX_LAG_MS: '600000',
    ACCESS_FACTS_HEARTBEAT_MS: '30000',
    // Importing the Synthea clinical record takes seconds: only the suites that read it ask for it.
    SEED_CLINICAL_RECORD: 'off',
    // The facility directory of the demo Locations' state only (Kansas): the whole one takes seconds.
    // Loading the facility directory costs seconds a stack: only care routing's suites ask (WITH_FACILITIES).
    SEED_FACILITIES: 'none',
    ...env,
  });
  const sink = new PassThrough();
  let logs = '';
  sink.on('data', (c: Buffer) => (logs += c.toString()));
  const log = createLogger({ name: 'carefed-test', level: 'info', destination: sink });
  const stack = await startStack({ config, seed: true, ephemeralPorts: true, log });
  useMetricsToken(metricsTokenOf(config));
  const admin = new pg.Pool({ connectionString: db.url, max: 3 });
  const { patientId, practitionerId } = demoSubjects(stack.seed!);
  const otherPatientId = stack.seed!.patientIds.find(
    (id) => id !== patientId && !(stack.seed!.careTeams.get(id) ?? []).includes(practitionerId),
  )!;
  const otherPractitionerId = [...stack.seed!.careTeams.values()]
    .flat()
    .find((p) => !(stack.seed!.careTeams.get(patientId) ?? []).includes(p))!;
  return {
    stack,
    config,
    db,
    demo: { patientId, practitionerId, otherPatientId, otherPractitionerId },
    logs: () => logs,
    token: (role, overrides = {}, opts = {}) =>
      stack.devIssuer!.sign(devPrincipal(role, overrides), opts),
    gql: async (token, query, variables) => {
      const res = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GqlResponse, 'status' | 'headers'>;
      return { status: res.status, headers: res.headers, ...body } as GqlResponse<never>;
    },
    sql: async <R extends pg.QueryResultRow>(text: string, params?: unknown[]) =>
      (await admin.query<R>(text, params)).rows,
    stop: async () => {
      await admin.end();
      await stack.stop();
      await db.drop();
      await dropRoles(db, config.DB_ROLE_PREFIX);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Tokens for the demo patient and clinician, bound as `npm start` binds them. */
export function demoOverrides(
  t: TestStack,
): Record<'patient' | 'clinician' | 'partner', Partial<Principal>> {
  return {
    patient: { patientId: t.demo.patientId },
    partner: { patientId: t.demo.patientId },
    clinician: { practitionerId: t.demo.practitionerId },
  };
}

/**
 * Waits until every subgraph holding patient data knows these patients
 * (`patient.registered` projected): they refuse writes for patients they do
 * not know, and the event is asynchronous.
 */
export async function untilKnown(
  t: TestStack,
  patientIds: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await t.sql<{ n: number }>(
      `SELECT (SELECT count(*) FROM scheduling.patient_projection WHERE id = ANY($1::uuid[]))
            + (SELECT count(*) FROM billing.patient_projection WHERE id = ANY($1::uuid[])) AS n`,
      [patientIds],
    );
    if (Number(row!.n) === 2 * new Set(patientIds).size) return;
    if (Date.now() > deadline) throw new Error('the subgraphs never learnt of the new patients');
    await new Promise((r) => setTimeout(r, 50));
  }
}
