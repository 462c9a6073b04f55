/**
 * Rate-limit tiers. A client's tier decides how many requests it, and each of
 * its users, may make per window. The client registry assigns tiers; a client
 * it does not name is `standard`.
 */
export const TIER_NAMES = ['standard', 'partner', 'test'] as const;
export type TierName = (typeof TIER_NAMES)[number];

/** Points (one per operation) allowed per window. */
export interface TierLimits {
  /** Shared by every user of the client. */
  perClient: number;
  /** For each user (token subject) of the client. */
  perUser: number;
}

/** Length of a rate-limit window. */
export const WINDOW_SECONDS = 60;

/** The standard tier when `RATE_LIMIT_PER_CLIENT` / `RATE_LIMIT_PER_USER` are unset. */
export const STANDARD_LIMITS: TierLimits = { perClient: 600, perUser: 120 };

/** Third-party apps get this share of the standard figures. */
const PARTNER_SHARE = 0.5;

/** Sandbox and test clients: enough to try the API, too little to load it. */
const TEST_LIMITS: TierLimits = { perClient: 20, perUser: 10 };

/** Which clients are on which tier: a map, or a lookup (the client registry's). */
export type TierAssignments =
  ReadonlyMap<string, TierName> | ((clientId: string) => TierName | undefined);

/** True when `name` is a tier (for registries read from files). */
export function isTierName(name: unknown): name is TierName {
  return typeof name === 'string' && (TIER_NAMES as readonly string[]).includes(name);
}

/** The tier of a client: as assigned, else `standard`. */
export function tierOf(clientId: string, assigned?: TierAssignments): TierName {
  const tier = typeof assigned === 'function' ? assigned(clientId) : assigned?.get(clientId);
  return tier ?? 'standard';
}

/**
 * Points per window of every tier. `overrides` (the environment) replace the
 * standard figures, and the partner tier follows them at its share; the test
 * tier is fixed.
 */
export function tierTable(overrides: Partial<TierLimits> = {}): Record<TierName, TierLimits> {
  const standard: TierLimits = {
    perClient: overrides.perClient ?? STANDARD_LIMITS.perClient,
    perUser: overrides.perUser ?? STANDARD_LIMITS.perUser,
  };
  const share = (points: number) => Math.max(1, Math.floor(points * PARTNER_SHARE));
  return {
    standard,
    partner: { perClient: share(standard.perClient), perUser: share(standard.perUser) },
    test: TEST_LIMITS,
  };
}

/** Anything that names a client's tier, as the client registry does. */
export interface TierSource {
  rateLimitTier(clientId: string): string | undefined;
}

/**
 * Tier assignments read from a registry. The registry should accept only
 * `TIER_NAMES`; a name that is not a tier counts as standard here.
 */
export function tiersFrom(source: TierSource): TierAssignments {
  return (clientId) => {
    const name = source.rateLimitTier(clientId);
    return isTierName(name) ? name : undefined;
  };
}
