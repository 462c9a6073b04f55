import { z } from 'zod';

/** How urgent a need is. */
export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

/**
 * The factors a recommendation is scored on, each scored 0 (worst) to 1
 * (best) and weighted per urgency (domain/score.ts says how each is scored).
 */
export const FACTORS = [
  'travel',
  'capacity',
  'emergencyWait',
  'diversion',
  'availability',
  'preference',
] as const;
export type Factor = (typeof FACTORS)[number];

export type FactorWeights = Record<Factor, number>;
export type RecommendationWeights = Record<Urgency, FactorWeights>;

/**
 * The defaults: an emergency is about getting there and being taken in
 * (travel, diversion, beds, the emergency department's wait); an urgent need
 * also about being seen soon; a routine one mostly about the next free slot
 * of a fitting practitioner and the patient's preferences, then distance.
 */
export const DEFAULT_WEIGHTS: RecommendationWeights = {
  emergency: {
    travel: 0.45,
    capacity: 0.1,
    emergencyWait: 0.15,
    diversion: 0.3,
    availability: 0,
    preference: 0,
  },
  urgent: {
    travel: 0.4,
    capacity: 0.05,
    emergencyWait: 0.15,
    diversion: 0.1,
    availability: 0.2,
    preference: 0.1,
  },
  routine: {
    travel: 0.3,
    capacity: 0,
    emergencyWait: 0,
    diversion: 0,
    availability: 0.45,
    preference: 0.25,
  },
};

const weight = z.number().min(0).max(1);
const factorWeights = z.strictObject(
  Object.fromEntries(FACTORS.map((f) => [f, weight.optional()])),
);
const weightsJson = z.strictObject(
  Object.fromEntries(URGENCIES.map((u) => [u, factorWeights.optional()])),
);

/**
 * The weights from `CARE_ROUTING_WEIGHTS` (JSON: `{"routine": {"travel": 0.5}}`,
 * each 0 to 1, merged over {@link DEFAULT_WEIGHTS}); throws naming the fault,
 * so a bad setting stops the service at start rather than ranking wrongly.
 */
export function parseWeights(json: string | undefined): RecommendationWeights {
  if (!json) return DEFAULT_WEIGHTS;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('CARE_ROUTING_WEIGHTS is not JSON');
  }
  const parsed = weightsJson.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `CARE_ROUTING_WEIGHTS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const out = {} as RecommendationWeights;
  for (const u of URGENCIES) {
    const given = (parsed.data[u] ?? {}) as Partial<FactorWeights>;
    const merged = { ...DEFAULT_WEIGHTS[u] };
    for (const f of FACTORS) if (given[f] !== undefined) merged[f] = given[f];
    if (FACTORS.every((f) => merged[f] === 0))
      throw new Error(`CARE_ROUTING_WEIGHTS: every ${u} weight is 0`);
    out[u] = merged;
  }
  return out;
}
