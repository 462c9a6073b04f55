import { describe, expect, it } from 'vitest';
import { decidingFactors, rank, reasonsOf, scoreCandidate, type Candidate } from './score.js';
import { travelMinutes } from './travel.js';
import { DEFAULT_WEIGHTS } from './weights.js';

const now = new Date('2026-12-04T15:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

const candidate = (over: Partial<Candidate>): Candidate => ({
  facilityId: 'f',
  kind: 'hospital',
  emergency: true,
  openNow: true,
  distanceKm: 10,
  trafficFactor: null,
  bedsAvailable: null,
  emergencyWaitMinutes: null,
  diversion: null,
  nextSlot: null,
  ...over,
});
const need = (urgency: 'emergency' | 'urgent' | 'routine', preferred: string[] = []) => ({
  urgency,
  now,
  preferredFacilityIds: new Set(preferred),
});
const score = (c: Candidate, u: 'emergency' | 'urgent' | 'routine', preferred: string[] = []) =>
  scoreCandidate(c, need(u, preferred), DEFAULT_WEIGHTS[u]);

describe('the travel model', () => {
  it('drives town then highway, with the traffic factor on the driving part only', () => {
    // 8 km straight → 10 km of road at 40 km/h = 15 min, + 3.
    expect(travelMinutes(8)).toBeCloseTo(18, 6);
    // 40 km straight → 50 km road: 10 at 40 km/h (15 min) + 40 at 80 km/h (30 min), + 3.
    expect(travelMinutes(40)).toBeCloseTo(48, 6);
    expect(travelMinutes(40, 2)).toBeCloseTo(93, 6);
  });
});

describe('scoring', () => {
  it('sums each weighted factor’s contribution, and says what each saw', () => {
    const s = score(candidate({ distanceKm: 8 }), 'emergency');
    const sum = s.factors.reduce((a, f) => a + f.contribution, 0);
    expect(s.score).toBeCloseTo(sum, 3);
    expect(s.factors.map((f) => f.factor)).toEqual([
      'travel',
      'capacity',
      'emergencyWait',
      'diversion',
      'availability',
      'preference',
    ]);
    expect(s.factors.find((f) => f.factor === 'travel')!.detail).toMatch(/about 18 min away/);
  });

  it('counts a stale value as unknown and says it is stale', () => {
    const fresh = score(
      candidate({ diversion: { value: true, observedAt: minutesAgo(5), stale: false } }),
      'emergency',
    );
    const stale = score(
      candidate({ diversion: { value: true, observedAt: minutesAgo(300), stale: true } }),
      'emergency',
    );
    const d = (s: typeof fresh) => s.factors.find((f) => f.factor === 'diversion')!;
    expect(d(fresh).score).toBe(0);
    expect(d(stale).score).toBe(0.5);
    expect(d(stale).stale).toBe(true);
    expect(d(stale).detail).toMatch(/5 h ago \(stale\)/);
  });

  it('never ranks a facility without an emergency department first for an emergency', () => {
    // The urgent care centre is next door; the emergency department is 80 km away and diverted.
    const near = score(
      candidate({ facilityId: 'uc', kind: 'urgent-care', emergency: false, distanceKm: 0.5 }),
      'emergency',
    );
    const far = score(
      candidate({
        facilityId: 'ed',
        distanceKm: 80,
        diversion: { value: true, observedAt: minutesAgo(1), stale: false },
      }),
      'emergency',
    );
    expect(near.score).toBeGreaterThan(far.score);
    const ranked = rank([near, far], 'emergency');
    expect(ranked.map((s) => s.candidate.facilityId)).toEqual(['ed', 'uc']);
    expect(decidingFactors(ranked[0]!, ranked[1], 'emergency')).toEqual(['emergencyDepartment']);
    expect(reasonsOf(ranked[0]!, ['emergencyDepartment'], 'Near UC')[0]).toBe(
      'Has an emergency department; Near UC has none',
    );
    // Not an emergency: the score alone ranks.
    const urgent = rank(
      [
        score(
          candidate({ facilityId: 'uc', kind: 'urgent-care', emergency: false, distanceKm: 0.5 }),
          'urgent',
        ),
        score(candidate({ facilityId: 'ed', distanceKm: 80 }), 'urgent'),
      ],
      'urgent',
    );
    expect(urgent[0]!.candidate.facilityId).toBe('uc');
  });

  it('names the factors that put one ahead of the next, largest first', () => {
    const a = score(
      candidate({
        facilityId: 'a',
        distanceKm: 20,
        nextSlot: { start: new Date(now.getTime() + 3_600_000) },
      }),
      'routine',
      ['a'],
    );
    const b = score(
      candidate({
        facilityId: 'b',
        distanceKm: 5,
        nextSlot: { start: new Date(now.getTime() + 10 * 86_400_000) },
      }),
      'routine',
    );
    const [first, second] = rank([b, a], 'routine');
    expect(first!.candidate.facilityId).toBe('a');
    expect(decidingFactors(first!, second, 'routine')).toEqual(['availability', 'preference']);
  });
});
