import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

const ids = new WeakMap<Request, string>();

/**
 * Assigns every request its id once, before anything else runs: kept beside
 * the request for the rate limiter, the GraphQL context and the subgraph
 * calls, and answered to the client in `x-request-id`.
 */
export const assignRequestId: RequestHandler = (req, res, next) => {
  const id = randomUUID();
  ids.set(req, id);
  res.setHeader('x-request-id', id);
  next();
};

/** The id `assignRequestId` gave this request (a fresh one for a request it never saw). */
export function requestIdOf(req: Request): string {
  let id = ids.get(req);
  if (!id) {
    id = randomUUID();
    ids.set(req, id);
  }
  return id;
}

/** The same, from the response side (express links the two). */
export const requestIdOfResponse = (res: Response): string => requestIdOf(res.req);
