import { z } from 'zod';
import { blockedPortProblem } from './bad-ports.js';

const port = z.coerce.number().int().min(1).max(65535);
/** A port other services reach with `fetch`: not one of the Fetch standard's blocked ports. */
const fetchablePort = port.superRefine((value, ctx) => {
  const problem = blockedPortProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const flag = z
  .enum(['1', '0', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/**
 * Every environment variable Carefed reads, with its default. The README's
 * "Environment" table lists the same names; keep the two together.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** `--production` on `npm start` sets this: production hardening on one machine. */
  CAREFED_PRODUCTION: flag,
  DATABASE_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  GATEWAY_PORT: fetchablePort.default(4000),
  /** Subgraphs listen on consecutive ports starting here (patient first). */
  SUBGRAPH_PORT_BASE: port.default(4101),
  EMBEDDED_PG_PORT: port.default(54329),
  /** Interface every service listens on (0.0.0.0 in containers). */
  BIND_HOST: z.string().default('127.0.0.1'),
  /** Redis shared by the gateway instances for rate-limit counts; unset: each counts in memory. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Requests per minute of a standard-tier client (all its users together); partners get half. */
  RATE_LIMIT_PER_CLIENT: z.coerce.number().int().positive().optional(),
  /** Requests per minute of each user of a standard-tier client; partners get half. */
  RATE_LIMIT_PER_USER: z.coerce.number().int().positive().optional(),
  /** Requests per minute from one client address that carry no valid token (each refused with 401). */
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().optional(),
  /** Prefix of the rate-limit keys in Redis (and of the spent gateway-token ids). */
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('carefed:rl'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** OIDC issuer of user tokens; unset in development means the built-in dev issuer. */
  OIDC_ISSUER: z.string().min(1).optional(),
  OIDC_AUDIENCE: z.string().min(1).default('carefed-api'),
  OIDC_JWKS_URL: z.url().optional(),
  /** Algorithms accepted on user tokens. */
  OIDC_ALGORITHMS: z.string().default('RS256,ES256,EdDSA'),
  /** Longest user-token lifetime accepted, in seconds (exp - iat, and age since iat); at most 7 days. */
  OIDC_MAX_TOKEN_LIFETIME: z.coerce.number().int().min(60).max(604_800).default(43_200),
  /** Client-app registry (JSON, gateway/clients/registry.ts); unset outside production: the demo apps. */
  CLIENTS_FILE: z.string().min(1).optional(),
  /** Key-encryption key: base64 32 bytes, or a file path holding it. */
  CAREFED_KEK: z.string().optional(),
  CAREFED_KEK_FILE: z.string().optional(),
  /** Blind-index HMAC key: base64 32 bytes, or a file path holding it. */
  CAREFED_INDEX_KEY: z.string().optional(),
  CAREFED_INDEX_KEY_FILE: z.string().optional(),
  /** Private JWK (JSON) the gateway signs subgraph tokens with, or a file path. */
  GATEWAY_SIGNING_KEY_FILE: z.string().optional(),
  /** Seconds a gateway-to-subgraph token lives (one token per subgraph fetch). */
  INTERNAL_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).max(60).default(10),
  /** Milliseconds a subgraph spends on one request before it ends it with TIME_BUDGET_EXCEEDED. */
  SUBGRAPH_TIME_BUDGET_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  /** File holding the bearer credential `/metrics` requires; unset: generated under DATA_DIR/keys (off under NODE_ENV=production). */
  METRICS_TOKEN_FILE: z.string().min(1).optional(),
  /** Public JWK (JSON file) subgraphs verify the gateway's tokens with; default: the dev key under DATA_DIR/keys. */
  GATEWAY_PUBLIC_KEY_FILE: z.string().optional(),
  /** Secret (base64 32 bytes) from which each subgraph's database role password is derived, or a file. */
  CAREFED_DB_ROLE_KEY: z.string().optional(),
  CAREFED_DB_ROLE_KEY_FILE: z.string().optional(),
  /** Prefix of the per-subgraph database roles (`<prefix>_<schema>`). */
  DB_ROLE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/)
    .default('carefed'),
  /** Whether the demo seed imports the Synthea clinical record through the FHIR adapter (`on`); test stacks that need no clinical data turn it off. */
  SEED_CLINICAL_RECORD: z.enum(['on', 'off']).default('on'),
  /** Pharmacy raises an alert for a lot expiring within this many days (1 to 365). */
  PHARMACY_NEAR_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Which facility directory the demo seed loads: `all` (about 17,000 US facilities), `demo` (those of the demo data's states; care routing's test stacks) or `none` (other test stacks). */
  SEED_FACILITIES: z.enum(['all', 'demo', 'none']).default('all'),
  /** Minutes after which a reported bed count, emergency wait or diversion is shown as stale. */
  CARE_ROUTING_STALE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** Minutes after which a region's traffic report no longer counts (travel falls back to factor 1). */
  CARE_ROUTING_TRAFFIC_TTL_MINUTES: z.coerce.number().int().min(1).max(1_440).default(30),
  /** Recommendation weights per urgency (JSON, merged over the defaults; docs/care-routing.md). */
  CARE_ROUTING_WEIGHTS: z.string().max(4_000).optional(),
  /** Each researcher's total privacy budget (epsilon) for differentially private answers. */
  OPEN_DATA_EPSILON_BUDGET: z.coerce.number().gt(0).max(1_000).default(10),
  /** The largest epsilon one answer may spend. */
  OPEN_DATA_MAX_QUERY_EPSILON: z.coerce.number().gt(0).max(10).default(1),
  /** Hours between forecast refreshes (the scheduled job). */
  OPEN_DATA_FORECAST_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  /** The graph (the gateway's /graphql) the FHIR adapter writes patients and practitioners through; default: this stack's gateway. */
  FHIR_GRAPH_URL: z.url().optional(),
  /** The token endpoint the FHIR adapter's client gets its client-credentials token from; default: beside FHIR_GRAPH_URL. */
  FHIR_TOKEN_URL: z.url().optional(),
  /** The FHIR adapter's client id (a system client allowed system/Patient.cru and system/Practitioner.cru). */
  FHIR_IMPORT_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .default('carefed-fhir-import'),
  /** File holding that client's secret; unset outside NODE_ENV=production: the development secret under DATA_DIR/keys. */
  FHIR_IMPORT_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  /** A subgraph's own login URL; when set it is used as is instead of a role derived from DATABASE_URL. */
  SUBGRAPH_DATABASE_URL: z.url().optional(),
  /** A file holding the password of SUBGRAPH_DATABASE_URL's role (a container secret), so the URL carries none. */
  SUBGRAPH_DATABASE_PASSWORD_FILE: z.string().min(1).optional(),
  /**
   * A directory of per-subgraph secret files, for a job that serves every subgraph (db:provision,
   * keys:rotate): `<schema>-kek`, `<schema>-index-key`, `<schema>-db-password`. A subgraph's own
   * files there take the place of CAREFED_KEK, CAREFED_INDEX_KEY and DB_ROLE_PASSWORD_<SCHEMA>.
   */
  CAREFED_SECRETS_DIR: z.string().min(1).optional(),
  /** Private JWK (JSON) audit batches and heads are signed with, or a file path. */
  AUDIT_SIGNING_KEY_FILE: z.string().optional(),
  /** Where signed audit log heads are kept, apart from the database. */
  AUDIT_HEADS_FILE: z.string().optional(),
  /** Seconds between signed audit log heads in AUDIT_HEADS_FILE. */
  AUDIT_HEAD_INTERVAL: z.coerce.number().int().positive().default(60),
  /** Milliseconds between sealing runs: the most an audit entry waits to enter a signed Merkle batch. */
  AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /**
   * Months of audit log kept before `npm run audit:archive -- --drop-expired` may drop an
   * archived month: 84 (seven years, the security events' retention; access records need six,
   * and the two share a month's partition). Never below 72.
   */
  AUDIT_RETENTION_MONTHS: z.coerce.number().int().min(72).default(84),
  /** Test only (NODE_ENV=test): a fault point at which the process kills itself (platform/testing/fault-points.ts). */
  CAREFED_FAULT: z
    .string()
    .regex(/^[a-z-]+:[A-Za-z]+$/)
    .optional(),
  /** Minutes a break-the-glass grant lasts. */
  BREAK_GLASS_MINUTES: z.coerce.number().int().positive().max(1440).default(60),
  /** Milliseconds between the patient subgraph's access-fact heartbeats (platform/authz/access-facts/watermark.ts). */
  ACCESS_FACTS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** A subgraph refuses PHI (ACCESS_FACTS_STALE) when its newest applied heartbeat is older than this. */
  ACCESS_FACTS_MAX_LAG_MS: z.coerce.number().int().min(500).max(3_600_000).default(5000),

  /** Scheduling: open future bookings one patient may hold when booking for themselves (or through an app). */
  BOOKING_MAX_OPEN_PER_PATIENT: z.coerce.number().int().positive().max(1000).default(8),
  /** Scheduling: open future bookings one client app may hold across the patients it books for. */
  BOOKING_MAX_OPEN_PER_CLIENT: z.coerce.number().int().positive().max(100000).default(200),
  /** Billing: what a completed visit is charged, `CODE` or `CODE*UNITS`, comma-separated HCPCS Level II codes. */
  BILLING_VISIT_CODES: z
    .string()
    .regex(/^[A-Z][0-9]{4}(\*[1-9][0-9]{0,2})?(,[A-Z][0-9]{4}(\*[1-9][0-9]{0,2})?)*$/)
    .default('G0463'),
  /** Billing: the no-show fee in USD as a decimal string (e.g. `25.00`); unset or empty: no fee. */
  BILLING_NO_SHOW_FEE: z
    .string()
    .regex(/^[0-9]{1,7}(\.[0-9]{1,2})?$/)
    .optional(),
  /** Billing: the payment provider patients pay through (`test` moves no money; refused under NODE_ENV=production). */
  BILLING_PAYMENT_PROVIDER: z.enum(['test', 'none']).optional(),
  /** Billing: a file holding the secret the payment provider signs its callbacks with (unset outside production: one per process). */
  BILLING_PAYMENT_WEBHOOK_SECRET_FILE: z.string().min(1).optional(),
  /** Billing: minutes a payment intent waits for the provider's confirmation before it expires. */
  BILLING_PAYMENT_INTENT_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** Billing: let a patient pay more than they owe, leaving a credit. */
  BILLING_ALLOW_CREDIT: flag,
});

export type Env = z.infer<typeof envSchema>;
