import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { INTERNAL_TOKEN_HEADER } from '../platform/federation/subgraph-server.js';
import { restOperation } from '../platform/federation/rest-operation.js';
import type { InternalTokenSigner } from '../platform/identity/internal-token.js';
import type { TokenVerifier } from '../platform/identity/verify.js';
import { gatewayContext } from './context.js';

/** The FHIR REST base the gateway serves (and forwards to the FHIR adapter). */
export const FHIR_BASE = '/fhir/R4';

/** The largest FHIR request body the gateway accepts (a bundle, or one NDJSON file). */
export const FHIR_BODY_LIMIT = '50mb';

export interface FhirProxyOptions {
  /** The FHIR adapter subgraph's URL (its `/graphql`); absent: the FHIR API answers 503. */
  target: string | undefined;
  verifier: TokenVerifier;
  signer: InternalTokenSigner;
  /** The gateway's request id and rate-limit middleware, as for `/graphql`. */
  before: RequestHandler[];
  log: Logger;
}

const outcome = (code: string, diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics }],
});

/**
 * The FHIR REST API at the edge: `POST /fhir/R4` (a Bundle), `POST
 * /fhir/R4/$import` (bulk NDJSON) and `GET /fhir/R4/$import-status/<id>`.
 * The bearer token is verified as for GraphQL (rate limits included); the
 * FHIR adapter receives the request with a token the gateway signed for
 * that one call (method, path and a hash of the exact body), and nothing
 * else reaches it.
 */
export function mountFhirProxy(app: express.Express, opts: FhirProxyOptions): void {
  const raw = express.raw({ type: () => true, limit: FHIR_BODY_LIMIT });
  const handler: RequestHandler = (req, res) => void forward(req, res, opts);
  app.post(FHIR_BASE, ...opts.before, raw, handler);
  app.post(`${FHIR_BASE}/$import`, ...opts.before, raw, handler);
  app.get(`${FHIR_BASE}/$import-status/:id`, ...opts.before, handler);
}

async function forward(req: Request, res: Response, opts: FhirProxyOptions): Promise<void> {
  res.type('application/fhir+json');
  if (!opts.target)
    return void res.status(503).json(outcome('transient', 'The FHIR adapter is not running'));
  let ctx;
  try {
    ctx = await gatewayContext(req, opts.verifier, () => undefined);
  } catch {
    return void res.status(401).json(outcome('login', 'A valid bearer token is required'));
  }
  const body = Buffer.isBuffer(req.body) && req.method !== 'GET' ? req.body : undefined;
  const token = opts.signer.signNow(ctx.principal, {
    requestId: ctx.requestId,
    ip: ctx.ip,
    subgraph: 'fhir-adapter',
    operation: restOperation(req.method, req.originalUrl, body),
  });
  try {
    const upstream = await fetch(new URL(req.originalUrl, opts.target), {
      method: req.method,
      headers: {
        'content-type': req.header('content-type') ?? 'application/fhir+json',
        [INTERNAL_TOKEN_HEADER]: token,
        'x-request-id': ctx.requestId,
      },
      ...(body ? { body } : {}),
    });
    res.status(upstream.status);
    for (const h of [
      'content-type',
      'content-location',
      'x-progress',
      'retry-after',
      'location',
      'etag',
    ])
      if (upstream.headers.get(h)) res.setHeader(h, upstream.headers.get(h)!);
    res.send(Buffer.from(await upstream.arrayBuffer()));
  } catch (err) {
    opts.log.error(
      { err: (err as Error).message, requestId: ctx.requestId },
      'FHIR adapter unreachable',
    );
    res.status(503).json(outcome('transient', 'The FHIR adapter could not be reached'));
  }
}
