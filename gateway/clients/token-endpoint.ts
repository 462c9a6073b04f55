import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { defaultPurpose } from '../../platform/identity/claims.js';
import type { DevIssuer } from '../../platform/identity/dev-issuer.js';
import type { Principal } from '../../platform/identity/principal.js';
import { ClientRegistry, type ClientApp } from './registry.js';
import { grantScopes } from './scopes.js';

/** RFC 6749 §5.2 error codes this endpoint answers with. */
type TokenError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_scope'
  | 'unsupported_grant_type'
  | 'server_error';

export interface TokenEndpointOptions {
  registry: ClientRegistry;
  issuer: Pick<DevIssuer, 'sign'>;
  /** Seconds an access token lasts; default 3600. */
  lifetimeSeconds?: number;
  /** Token requests one client IP may make per minute; default 30. */
  attemptsPerMinute?: number;
  log: Logger;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

class TokenRequestError extends Error {
  constructor(
    readonly code: TokenError,
    readonly description: string,
  ) {
    super(description);
  }
}

function fail(code: TokenError, description: string): never {
  throw new TokenRequestError(code, description);
}

/** A single-valued form parameter; RFC 6749 §3.2 forbids repeating one. */
function param(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail('invalid_request', `${name} is given more than once`);
  return value;
}

/** The `+`-as-space form decoding RFC 6749 §2.3.1 applies to Basic credentials. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return fail('invalid_client', 'Malformed HTTP Basic credentials');
  }
}

/** The client's credentials from HTTP Basic or the form body (one method only). */
function credentials(req: Request, body: Record<string, unknown>): { id: string; secret: string } {
  const header = req.header('authorization');
  const bodyId = param(body, 'client_id');
  const bodySecret = param(body, 'client_secret');
  if (header !== undefined) {
    if (bodySecret !== undefined)
      fail('invalid_request', 'Use one client authentication method, not two');
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) fail('invalid_client', 'Malformed HTTP Basic credentials');
    const id = formDecode(decoded.slice(0, colon));
    if (bodyId !== undefined && bodyId !== id)
      fail('invalid_request', 'client_id differs from the authenticated client');
    return { id, secret: formDecode(decoded.slice(colon + 1)) };
  }
  if (!bodyId || !bodySecret) fail('invalid_client', 'Client authentication is required');
  return { id: bodyId, secret: bodySecret };
}

/** The patient the token acts for, under the client's binding rule. */
function boundPatient(client: ClientApp, requested: string | undefined): string | undefined {
  const rule = client.patientBinding;
  if (requested === undefined) {
    if (rule?.required) fail('invalid_request', 'This client must name the patient it acts for');
    return undefined;
  }
  if (!rule) fail('invalid_request', 'This client may not act for a patient');
  if (!FHIR_ID.test(requested)) fail('invalid_request', 'patient is not a valid id');
  // A patient context comes from that patient's authorisation; until a SMART launch
  // gives one, the registry's list for the client is it. Anything else: no token.
  if (!ClientRegistry.mayBind(client, requested))
    fail('invalid_request', 'This client is not authorised to act for that patient');
  return requested;
}

function answerError(res: Response, err: TokenRequestError, basic: boolean): void {
  const status = err.code === 'invalid_client' ? 401 : err.code === 'server_error' ? 500 : 400;
  // RFC 6749 §5.2: a client that tried HTTP Basic is told so in WWW-Authenticate.
  if (err.code === 'invalid_client')
    res.setHeader(
      'www-authenticate',
      `Basic realm="carefed"${basic ? ', error="invalid_client"' : ''}`,
    );
  res.status(status).json({ error: err.code, error_description: err.description });
}

/**
 * The development issuer's OAuth 2.0 token endpoint (RFC 6749 §4.4,
 * client-credentials grant): `POST /oauth/token`, form-encoded, the client
 * authenticated by HTTP Basic or `client_id`/`client_secret` in the body.
 * Grants the requested scopes the client is allowed (all of them when none
 * are requested), binds the token to `patient` under the client's rule (only a
 * patient the registry lists for the client; any other is `invalid_request`), and
 * signs a token with role `partner` and the client id. Errors follow RFC 6749
 * §5.2; secrets never reach the log. An app registered for an organisation
 * (a payer) gets it as the token's `org`.
 */
export function tokenEndpoint(opts: TokenEndpointOptions): RequestHandler[] {
  const lifetime = opts.lifetimeSeconds ?? 3600;
  const log = opts.log.child({ component: 'token-endpoint' });
  const handle: RequestHandler = async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('pragma', 'no-cache');
    let clientId: string | undefined;
    try {
      if (!req.is('application/x-www-form-urlencoded'))
        fail('invalid_request', 'Send the parameters as application/x-www-form-urlencoded');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const grantType = param(body, 'grant_type');
      if (grantType === undefined) fail('invalid_request', 'grant_type is required');
      if (grantType !== 'client_credentials')
        fail('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
      const given = credentials(req, body);
      const client = await opts.registry.authenticate(given.id, given.secret);
      if (!client) fail('invalid_client', 'Unknown client or wrong secret');
      clientId = client.id;
      const scopeParam = param(body, 'scope');
      const requested = scopeParam?.split(' ').filter((s) => s.length > 0);
      const scopes = grantScopes(requested, client.allowedScopes);
      if (requested !== undefined && scopes.length === 0)
        fail('invalid_scope', 'None of the requested scopes is allowed to this client');
      const patientId = boundPatient(client, param(body, 'patient'));
      const principal: Principal = {
        sub: client.id,
        roles: ['partner'],
        scopes,
        clientId: client.id,
        purposeOfUse: client.purposeOfUse ?? defaultPurpose('partner', patientId !== undefined),
      };
      if (patientId !== undefined) principal.patientId = patientId;
      if (client.organization !== undefined) principal.organizationId = client.organization;
      const accessToken = await opts.issuer.sign(principal, { expiresIn: lifetime });
      log.info(
        { clientId, scopes: scopes.length, patientBound: patientId !== undefined },
        'token issued',
      );
      res.json({
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: lifetime,
        scope: scopes.join(' '),
        ...(patientId !== undefined ? { patient: patientId } : {}),
      });
    } catch (err) {
      const refusal =
        err instanceof TokenRequestError
          ? err
          : new TokenRequestError('server_error', 'The token could not be issued');
      if (!(err instanceof TokenRequestError))
        log.error({ err: (err as Error).message }, 'token endpoint failed');
      else log.info({ clientId, refusal: refusal.code }, 'token refused');
      answerError(res, refusal, req.header('authorization') !== undefined);
    }
  };
  return [
    throttle(opts.attemptsPerMinute ?? 30),
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
    handle,
  ];
}

/**
 * Token requests per client IP and minute: each costs a deliberately slow
 * secret check, so guessing secrets (or burning CPU) is bounded. Over the
 * limit: 429 with `Retry-After`.
 */
function throttle(perMinute: number): RequestHandler {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return (req, res, next) => {
    limiter.consume(req.ip ?? 'unknown').then(
      () => next(),
      (r: { msBeforeNext?: number }) => {
        const retryAfter = Math.max(1, Math.ceil((r.msBeforeNext ?? 60_000) / 1000));
        res.setHeader('retry-after', String(retryAfter));
        res.setHeader('cache-control', 'no-store');
        res.status(429).json({
          error: 'invalid_request',
          error_description: `Too many token requests; retry after ${retryAfter} seconds`,
        });
      },
    );
  };
}
