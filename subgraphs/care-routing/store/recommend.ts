import type { EntityManager } from '@mikro-orm/postgresql';
import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';
import type { CarePreferences } from '../domain/preferences.js';
import {
  decidingFactors,
  rank,
  reasonsOf,
  scoreCandidate,
  type Candidate,
  type Scored,
} from '../domain/score.js';
import type { FactorWeights, Urgency } from '../domain/weights.js';
import { currentStatus } from '../domain/reported.js';
import type { FacilityRow } from './facility-reads.js';
import { statusesOf } from './status.js';
import { currentTraffic } from './traffic.js';

/** One candidate search (the nearby search answers it). */
export interface CandidateQuery {
  kinds?: FacilityKind[];
  services?: CareServiceName[];
  specialty?: string;
  radiusKm: number;
  first: number;
}

/** What the recommender reads through others: the nearby search and the free-slot projection. */
export interface RecommendDeps {
  search: (q: CandidateQuery) => Promise<{ facility: FacilityRow; distanceKm: number }[]>;
  nextSlots: (
    facilityIds: string[],
    specialty: string | null,
  ) => Promise<Map<string, { start: Date; practitionerId: string }>>;
}

/** A need to route. */
export interface RoutingNeed {
  urgency: Urgency;
  service: CareServiceName | null;
  specialty: string | null;
  radiusKm: number;
  first: number;
}

/** A ranked recommendation. */
export interface Recommendation {
  rank: number;
  facility: FacilityRow;
  scored: Scored;
  nextSlot: { start: Date; practitionerId: string } | null;
  decidingFactors: string[];
  reasons: string[];
}

/** Candidates considered per search before scoring. */
const POOL = 30;

/**
 * The candidate searches of an urgency: an emergency looks at emergency
 * departments, and at urgent care open now (which rank after every
 * emergency department); an urgent need at emergency departments, urgent
 * care and primary care; a routine one at what offers the service or
 * specialty asked (else primary care).
 */
function queriesOf(need: RoutingNeed): CandidateQuery[] {
  const base = { radiusKm: need.radiusKm, first: POOL };
  const fit = {
    ...(need.service ? { services: [need.service] } : {}),
    ...(need.specialty ? { specialty: need.specialty } : {}),
  };
  switch (need.urgency) {
    case 'emergency':
      return [
        { ...base, services: ['emergency'] },
        { ...base, first: 10, kinds: ['urgent-care'] },
      ];
    case 'urgent':
      // The search's services are all required: one search per kind of walk-in care.
      return need.service || need.specialty
        ? [{ ...base, ...fit }]
        : [
            { ...base, first: 15, services: ['emergency'] },
            { ...base, first: 15, services: ['urgent-care'] },
            { ...base, first: 10, services: ['primary-care'] },
          ];
    case 'routine':
      return [
        need.service || need.specialty
          ? { ...base, ...fit }
          : { ...base, services: ['primary-care'] },
      ];
  }
}

/**
 * Recommends facilities for a need from a point: candidates from the nearby
 * search, each scored on travel (with the region's current traffic),
 * reported capacity, emergency wait and diversion (stale values count as
 * unknown), the next free slot of a fitting practitioner (scheduling's
 * events, projected), and the preferences; ranked (an emergency department
 * before anything else for an emergency), each with its factors, the
 * factors that put it ahead of the next one, and reasons in words. Avoided
 * facilities and those beyond the travel limit are left out, except in an
 * emergency. A fixed number of statements whatever the candidates.
 */
export async function recommend(
  em: EntityManager,
  deps: RecommendDeps,
  need: RoutingNeed,
  prefs: CarePreferences,
  opts: { now: Date; weights: FactorWeights; staleMinutes: number; trafficTtlMinutes: number },
): Promise<Recommendation[]> {
  const found = (await Promise.all(queriesOf(need).map((q) => deps.search(q)))).flat();
  const byId = new Map<string, { facility: FacilityRow; distanceKm: number }>();
  for (const c of found) if (!byId.has(c.facility.id)) byId.set(c.facility.id, c);
  const emergency = need.urgency === 'emergency';
  let pool = [...byId.values()];
  if (!emergency && prefs.avoidedFacilityIds.length)
    pool = pool.filter((c) => !prefs.avoidedFacilityIds.includes(c.facility.id));
  if (pool.length === 0) return [];

  const ids = pool.map((c) => c.facility.id);
  const [statuses, traffic, slots] = await Promise.all([
    statusesOf(em, ids),
    currentTraffic(
      em,
      [...new Set(pool.map((c) => c.facility.region))],
      opts.now,
      opts.trafficTtlMinutes,
    ),
    emergency
      ? Promise.resolve(new Map<string, { start: Date; practitionerId: string }>())
      : deps.nextSlots(ids, need.specialty),
  ]);
  const scoringNeed = {
    urgency: need.urgency,
    now: opts.now,
    preferredFacilityIds: new Set(prefs.preferredFacilityIds),
  };
  const scored = pool.map(({ facility: f, distanceKm }) => {
    const candidate: Candidate = {
      facilityId: f.id,
      kind: f.kind,
      emergency: f.emergency,
      ...currentStatus(statuses.get(f.id), f, opts.now, opts.staleMinutes),
      distanceKm,
      trafficFactor: traffic.get(f.region)?.factor ?? null,
      nextSlot: slots.get(f.id) ?? null,
    };
    return scoreCandidate(candidate, scoringNeed, opts.weights);
  });
  const within =
    !emergency && prefs.maxTravelMinutes !== null
      ? scored.filter((s) => s.travelMinutes <= prefs.maxTravelMinutes!)
      : scored;
  const ranked = rank(within, need.urgency).slice(0, need.first + 1);
  const facilities = new Map(pool.map((c) => [c.facility.id, c.facility]));
  return ranked.slice(0, need.first).map((s, i) => {
    const next = ranked[i + 1];
    const deciding = decidingFactors(s, next, need.urgency);
    const nextName = next && facilities.get(next.candidate.facilityId)?.name;
    return {
      rank: i + 1,
      facility: facilities.get(s.candidate.facilityId)!,
      scored: s,
      nextSlot: slots.get(s.candidate.facilityId) ?? null,
      decidingFactors: deciding,
      reasons: reasonsOf(s, deciding, nextName),
    };
  });
}
