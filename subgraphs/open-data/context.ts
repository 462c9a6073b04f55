import type { RequestContext } from '../../platform/federation/context.js';
import type { Pseudonyms } from './domain/pseudonyms.js';
import { createLoaders, type OpenDataLoaders } from './loaders.js';

/** Long-lived services open data's resolvers and jobs share. */
export interface OpenDataServices {
  /** Keyed hashes under open data's own index key (never shown). */
  pseudonyms: Pseudonyms;
  /** `OPEN_DATA_EPSILON_BUDGET`, in micro-epsilon: each researcher's total. */
  budgetMicro: number;
  /** `OPEN_DATA_MAX_QUERY_EPSILON`, in micro-epsilon. */
  maxQueryMicro: number;
  /** `OPEN_DATA_FORECAST_HOURS`: between scheduled forecast refreshes. */
  forecastHours: number;
}

/** Open data's request context. */
export interface OpenDataContext extends RequestContext {
  services: OpenDataServices;
  loaders: OpenDataLoaders;
}

export function createOpenDataContext(
  base: RequestContext,
  services: OpenDataServices,
): OpenDataContext {
  const ctx = { ...base, services } as OpenDataContext;
  ctx.loaders = createLoaders(ctx);
  return ctx;
}
