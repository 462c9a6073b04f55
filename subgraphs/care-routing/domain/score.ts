import type { Factor, FactorWeights, Urgency } from './weights.js';
import { FACTORS } from './weights.js';
import { travelMinutes } from './travel.js';

/** A reported value with the time it was observed, and whether it is too old to count. */
export interface Reported<T> {
  value: T;
  observedAt: Date;
  stale: boolean;
}

/** What the scorer knows of one candidate facility. */
export interface Candidate {
  facilityId: string;
  kind: string;
  /** Runs an emergency department. */
  emergency: boolean;
  /** Open now (the one rule: emergency departments always; else its hours); null: hours unknown. */
  openNow: boolean | null;
  distanceKm: number;
  /** The region's current traffic factor (null: none current, 1 assumed). */
  trafficFactor: number | null;
  bedsAvailable: Reported<number> | null;
  emergencyWaitMinutes: Reported<number> | null;
  diversion: Reported<boolean> | null;
  /** The next free slot of a fitting practitioner, if one is known within the horizon. */
  nextSlot: { start: Date } | null;
}

/** The need being routed, and the patient's preferences when routing for a patient. */
export interface ScoringNeed {
  urgency: Urgency;
  now: Date;
  preferredFacilityIds: ReadonlySet<string>;
}

/** One factor's part in a score. */
export interface FactorScore {
  factor: Factor;
  /** 0 (worst) to 1 (best). */
  score: number;
  weight: number;
  /** weight × score: what it added to the total. */
  contribution: number;
  /** What the factor saw, in words. */
  detail: string;
  /** The value it rests on is older than the staleness bound (then it counts as unknown). */
  stale: boolean;
}

/** A candidate with its score, factor by factor. */
export interface Scored {
  candidate: Candidate;
  travelMinutes: number;
  /** Sum of the contributions, 0 to the sum of the weights. */
  score: number;
  factors: FactorScore[];
  /** For an emergency: runs an emergency department (only those may rank first). */
  emergencyCapable: boolean;
}

/** How far each factor looks before it scores 0. */
export const SCORE_SCALES = {
  /** Minutes of travel at which the travel score reaches 0, per urgency. */
  travelMinutes: { emergency: 60, urgent: 90, routine: 120 } as Record<Urgency, number>,
  /** Beds available at which capacity scores 1. */
  beds: 10,
  /** Minutes of emergency wait at which its score reaches 0. */
  emergencyWaitMinutes: 240,
  /** Hours until the next free slot at which availability reaches 0, per urgency. */
  slotHours: { emergency: 4, urgent: 48, routine: 336 } as Record<Urgency, number>,
  /** What an unknown (or stale) value scores: neither reward nor penalty. */
  unknown: 0.5,
} as const;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

const ago = (now: Date, at: Date) => {
  const minutes = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60_000));
  return minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
};

type Part = Omit<FactorScore, 'weight' | 'contribution' | 'factor'>;

function travelPart(c: Candidate, urgency: Urgency, minutes: number): Part {
  const traffic =
    c.trafficFactor === null
      ? 'no current traffic report'
      : `traffic ×${round(c.trafficFactor, 2)}`;
  return {
    score: clamp01(1 - minutes / SCORE_SCALES.travelMinutes[urgency]),
    detail: `about ${Math.round(minutes)} min away (${round(c.distanceKm, 1)} km, ${traffic})`,
    stale: false,
  };
}

function capacityPart(c: Candidate, now: Date): Part {
  const b = c.bedsAvailable;
  if (!b)
    return { score: SCORE_SCALES.unknown, detail: 'beds available not reported', stale: false };
  if (b.stale)
    return {
      score: SCORE_SCALES.unknown,
      detail: `${b.value} beds available, reported ${ago(now, b.observedAt)} (stale, not counted)`,
      stale: true,
    };
  return {
    score: clamp01(b.value / SCORE_SCALES.beds),
    detail: `${b.value} beds available (reported ${ago(now, b.observedAt)})`,
    stale: false,
  };
}

function waitPart(c: Candidate, now: Date): Part {
  if (!c.emergency) return { score: 0, detail: 'no emergency department', stale: false };
  const w = c.emergencyWaitMinutes;
  if (!w)
    return { score: SCORE_SCALES.unknown, detail: 'emergency wait not reported', stale: false };
  if (w.stale)
    return {
      score: SCORE_SCALES.unknown,
      detail: `emergency wait ${w.value} min, reported ${ago(now, w.observedAt)} (stale, not counted)`,
      stale: true,
    };
  return {
    score: clamp01(1 - w.value / SCORE_SCALES.emergencyWaitMinutes),
    detail: `emergency wait ${w.value} min (reported ${ago(now, w.observedAt)})`,
    stale: false,
  };
}

function diversionPart(c: Candidate, now: Date): Part {
  const d = c.diversion;
  if (!d) return { score: 1, detail: 'no diversion reported', stale: false };
  if (d.stale)
    return {
      score: d.value ? SCORE_SCALES.unknown : 1,
      detail: `${d.value ? 'on diversion' : 'not on diversion'}, reported ${ago(now, d.observedAt)} (stale)`,
      stale: true,
    };
  return {
    score: d.value ? 0 : 1,
    detail: `${d.value ? 'on ambulance diversion' : 'not on diversion'} (reported ${ago(now, d.observedAt)})`,
    stale: false,
  };
}

function availabilityPart(c: Candidate, need: ScoringNeed): Part {
  // Walk-in care that is open now sees an urgent need without an appointment.
  if (need.urgency !== 'routine' && c.openNow && (c.emergency || c.kind === 'urgent-care'))
    return { score: 1, detail: 'open now for walk-in care', stale: false };
  if (!c.nextSlot)
    return { score: 0, detail: 'no free slot of a fitting practitioner known', stale: false };
  const hours = Math.max(0, (c.nextSlot.start.getTime() - need.now.getTime()) / 3_600_000);
  return {
    score: clamp01(1 - hours / SCORE_SCALES.slotHours[need.urgency]),
    detail: `next free slot ${c.nextSlot.start.toISOString()} (in ${hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`})`,
    stale: false,
  };
}

function preferencePart(c: Candidate, need: ScoringNeed): Part {
  return need.preferredFacilityIds.has(c.facilityId)
    ? { score: 1, detail: 'a preferred facility', stale: false }
    : { score: SCORE_SCALES.unknown, detail: 'no stated preference', stale: false };
}

/** Scores one candidate for a need with the urgency's weights. */
export function scoreCandidate(c: Candidate, need: ScoringNeed, weights: FactorWeights): Scored {
  const minutes = travelMinutes(c.distanceKm, c.trafficFactor ?? 1);
  const parts: Record<Factor, Part> = {
    travel: travelPart(c, need.urgency, minutes),
    capacity: capacityPart(c, need.now),
    emergencyWait: waitPart(c, need.now),
    diversion: diversionPart(c, need.now),
    availability: availabilityPart(c, need),
    preference: preferencePart(c, need),
  };
  const factors = FACTORS.map((factor) => {
    const p = parts[factor];
    const weight = weights[factor];
    return { factor, ...p, score: round(p.score), weight, contribution: round(weight * p.score) };
  });
  return {
    candidate: c,
    travelMinutes: round(minutes, 1),
    score: round(factors.reduce((s, f) => s + f.contribution, 0)),
    factors,
    emergencyCapable: c.emergency,
  };
}

/**
 * Ranks candidates, best first: by score, ties by travel time then facility
 * id. For an emergency, every facility with an emergency department ranks
 * before any without one, whatever their scores: an emergency is never sent
 * first to a facility that cannot take it.
 */
export function rank(scored: readonly Scored[], urgency: Urgency): Scored[] {
  return [...scored].sort(
    (a, b) =>
      (urgency === 'emergency' ? Number(b.emergencyCapable) - Number(a.emergencyCapable) : 0) ||
      b.score - a.score ||
      a.travelMinutes - b.travelMinutes ||
      (a.candidate.facilityId < b.candidate.facilityId ? -1 : 1),
  );
}

/**
 * The factors that put `a` ahead of `b` (the next one down): those whose
 * contribution is larger for `a`, largest difference first; for an
 * emergency, having an emergency department when `b` has none decides alone.
 */
export function decidingFactors(a: Scored, b: Scored | undefined, urgency: Urgency): string[] {
  if (!b) return [];
  if (urgency === 'emergency' && a.emergencyCapable && !b.emergencyCapable)
    return ['emergencyDepartment'];
  const byFactor = new Map(b.factors.map((f) => [f.factor, f.contribution]));
  return a.factors
    .map((f) => ({ factor: f.factor, gain: f.contribution - (byFactor.get(f.factor) ?? 0) }))
    .filter((d) => d.gain > 0.0005)
    .sort((x, y) => y.gain - x.gain)
    .map((d) => d.factor);
}

/** Reasons in words: the deciding factors first, then every weighted factor's detail. */
export function reasonsOf(s: Scored, deciding: readonly string[], nextName?: string): string[] {
  const out: string[] = [];
  if (deciding.includes('emergencyDepartment'))
    out.push(`Has an emergency department${nextName ? `; ${nextName} has none` : ''}`);
  else if (deciding.length && nextName) out.push(`Ahead of ${nextName} on ${deciding.join(', ')}`);
  if (!s.emergencyCapable && s.factors.some((f) => f.factor === 'emergencyWait' && f.weight > 0))
    out.push('No emergency department');
  const weighted = s.factors
    .filter((f) => f.weight > 0)
    .sort((x, y) => y.contribution - x.contribution);
  for (const f of weighted) out.push(`${f.factor}: ${f.detail}`);
  return out;
}
