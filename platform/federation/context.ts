import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Principal } from '../identity/principal.js';
import type { TimeBudget } from './time-budget.js';

/**
 * What every subgraph resolver gets, fresh per request: the verified
 * principal, the request id the gateway assigned, a forked EntityManager and
 * a child logger tagged with the request id. Subgraphs add their loaders.
 */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  ip?: string;
  em: EntityManager;
  log: Logger;
  /** One clock reading per request, so every decision in it agrees. */
  now: Date;
  /**
   * The request's deadline (SUBGRAPH_TIME_BUDGET_MS): every resolver checks it
   * before it starts; long loops should call `budget?.check()` or watch its signal.
   * Absent outside a served request (seeds, tools).
   */
  budget?: TimeBudget;
}
