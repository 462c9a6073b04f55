import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { mountFhirProxy } from './fhir-proxy.js';
import {
  APOLLO_CACHE_BOUNDS,
  boundedDocumentStore,
  boundedStringCache,
} from '../platform/cache/apollo-caches.js';
import { formatError } from '../platform/errors/format.js';
import { createMetrics } from '../platform/http/metrics.js';
import { requestLogPlugin } from '../platform/http/request-log-plugin.js';
import { startHttpService, type RunningService } from '../platform/http/server.js';
import type { DevIssuer } from '../platform/identity/dev-issuer.js';
import type { InternalTokenSigner } from '../platform/identity/internal-token.js';
import type { TokenVerifier } from '../platform/identity/verify.js';
import { clientBoundVerifier } from './clients/client-verifier.js';
import { ClientRegistry } from './clients/registry.js';
import { tokenEndpoint } from './clients/token-endpoint.js';
import { gatewayContext, type GatewayContext } from './context.js';
import { assignRequestId } from './request-id.js';
import { SignedDataSource } from './signed-data-source.js';
import { gatewayPersistedOperations } from './persisted/gateway-plugin.js';
import { gatewayLimits, LIMITS, refineLimitCode } from '../platform/limits/index.js';
import { mountExplorer } from './explorer/routes.js';
import { createRateLimiter, type RateLimitSettings } from './rate-limit/limiter.js';
import { logBudget } from './rate-limit/log-budget.js';
import { rateLimitMiddleware } from './rate-limit/middleware.js';
import { tiersFrom } from './rate-limit/tiers.js';
import { nulGuardPlugin } from '../platform/http/nul-guard.js';

export interface GatewayOptions {
  port: number;
  host: string;
  production: boolean;
  supergraphSdl: string;
  /** Where each subgraph really runs, by name. */
  subgraphUrls: Record<string, string>;
  verifier: TokenVerifier;
  signer: InternalTokenSigner;
  /** The development issuer, whose keys and discovery document the gateway serves. */
  devIssuer?: DevIssuer;
  /** Client apps (persisted-only, tiers, client credentials); default: none registered. */
  clients?: ClientRegistry;
  /** Per-client and per-user rate limits; default: standard tiers, counted in memory. */
  rateLimit?: RateLimitSettings;
  /**
   * Query limits and the persisted-only safelist (default on). Off only in
   * `bench/gateway-edge.ts`, to measure what they cost.
   */
  protections?: boolean;
  /** The bearer credential `/metrics` requires (platform/http/metrics-token.ts); unset: not served. */
  metricsToken?: string;
  log: Logger;
}

/** Ready when every subgraph answers its own `/readyz` within a second. */
async function subgraphsReady(urls: string[]): Promise<boolean> {
  const answers = await Promise.all(
    urls.map((u) =>
      fetch(u.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false),
    ),
  );
  return answers.every(Boolean);
}

/** Starts the gateway over a static supergraph. */
export async function startGateway(opts: GatewayOptions): Promise<RunningService> {
  const metrics = createMetrics('gateway');
  const gateway = new ApolloGateway({
    supergraphSdl: opts.supergraphSdl,
    // Query plans for ever-new operation texts: bounded (docs/performance.md).
    experimental_approximateQueryPlanStoreMiB: APOLLO_CACHE_BOUNDS.queryPlanMiB,
    buildService: ({ name, url }) => {
      const real = opts.subgraphUrls[name] ?? url;
      if (!real) throw new Error(`No URL for subgraph ${name}`);
      return new SignedDataSource(name, real, opts.signer);
    },
  });
  const clients = opts.clients ?? new ClientRegistry([]);
  const verifier = clientBoundVerifier(opts.verifier, clients);
  const protect = opts.protections !== false;
  const { plugins: limitPlugins, ...limitOptions } = protect
    ? gatewayLimits<GatewayContext>(opts)
    : { plugins: [] };
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...limitOptions,
    documentStore: boundedDocumentStore(),
    // Automatic persisted queries' texts (the manifest is held apart, in full).
    cache: boundedStringCache(),
    introspection: !opts.production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: opts.production,
    formatError: (formatted, error) => formatError(refineLimitCode(formatted, error)),
    plugins: [
      nulGuardPlugin<GatewayContext>(),
      ...(protect ? [gatewayPersistedOperations(clients, opts.log)] : []),
      requestLogPlugin<GatewayContext>(opts.log.child({ component: 'gateway' }), metrics, (e) =>
        String(
          refineLimitCode({ message: e.message, extensions: e.extensions }, e).extensions?.code,
        ),
      ),
      ...limitPlugins,
      // Apollo's landing page loads from a CDN; the explorer is served from node_modules instead.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  const limiter = await createRateLimiter(
    { tiers: tiersFrom(clients), ...opts.rateLimit },
    opts.log,
  );
  // At most 20 `token refused` lines a minute, however many addresses send bad tokens.
  const refusalLog = logBudget(20, 60_000, (count) =>
    opts.log.info({ count }, 'token refusals not logged in the last minute'),
  );
  const service = await startHttpService(apollo, {
    port: opts.port,
    host: opts.host,
    log: opts.log,
    metrics,
    metricsToken: opts.metricsToken,
    bodyLimit: LIMITS.bodyLimit,
    before: [assignRequestId, rateLimitMiddleware({ limiter, verifier, log: opts.log, metrics })],
    context: (req) =>
      gatewayContext(req, verifier, (reason, requestId) =>
        refusalLog(() => opts.log.info({ requestId, refusal: reason }, 'token refused')),
      ),
    ready: () => subgraphsReady(Object.values(opts.subgraphUrls)),
    routes: (app) => {
      mountFhirProxy(app, {
        target: opts.subgraphUrls['fhir-adapter'],
        verifier,
        signer: opts.signer,
        before: [
          assignRequestId,
          rateLimitMiddleware({ limiter, verifier, log: opts.log, metrics }),
        ],
        log: opts.log,
      });
      if (!opts.production) mountExplorer(app, { endpoint: '/graphql' });
      const issuer = opts.devIssuer;
      if (!issuer) return;
      app.get('/.well-known/jwks.json', (_req, res) => void res.json(issuer.jwks()));
      app.get(
        '/.well-known/openid-configuration',
        (_req, res) => void res.json(issuer.openidConfiguration()),
      );
      app.post('/oauth/token', ...tokenEndpoint({ registry: clients, issuer, log: opts.log }));
    },
  }).catch(async (err: unknown) => {
    await limiter.close();
    throw err;
  });
  return { ...service, stop: () => service.stop().finally(() => limiter.close()) };
}
