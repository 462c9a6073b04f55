import {
  CONTRACEPTIVES,
  ENCOUNTER,
  PRENATAL_IRON,
  type EncounterKind,
} from './clinical-catalogue.js';
import {
  ACUTE,
  DELIVERY,
  INPATIENT,
  PREGNANCY_COMPLICATIONS,
  STI,
  type AcuteSpec,
  type ChronicSpec,
} from './conditions-catalogue.js';
import type { Coding } from './fhir.js';
import { ageAt, ageBand, DAY, YEAR, type Person, type Window } from './person.js';
import { Weighted, type Rng } from './prng.js';
import { icdCoding, type ReferenceData } from './reference-data.js';

/** A condition first recorded at a visit. */
export interface Diagnosis {
  id: string;
  coding: Coding;
  /** When it resolved, if before the window's end; chronic ones never do. */
  abatement?: number;
}

/** A prescription written at a visit. */
export interface Order {
  rxnorm: string;
  status: 'active' | 'stopped' | 'completed';
  reason?: Diagnosis;
}

/** One planned encounter, with what is recorded at it. */
export interface Visit {
  id: string;
  kind: EncounterKind;
  start: number;
  /** Undefined while the encounter is still going on at the window's end. */
  end?: number;
  virtual: boolean;
  diagnoses: Diagnosis[];
  /** Why the patient came: new diagnoses, or the chronic conditions followed up. */
  reasons: Coding[];
  orders: Order[];
}

type Draft = Omit<Visit, 'end'>;

/** The next event after `from` of a Poisson process with `perYear` events a year. */
function nextEvent(rng: Rng, perYear: number, from: number): number {
  return from + (-Math.log(1 - rng.float()) / perYear) * YEAR;
}

/** Event times of a Poisson process with `perYear` events a year in [from, to). */
function eventTimes(rng: Rng, perYear: number, from: number, to: number): number[] {
  const out: number[] = [];
  if (perYear <= 0) return out;
  for (let t = nextEvent(rng, perYear, from); t < to; t = nextEvent(rng, perYear, t)) out.push(t);
  return out;
}

const WELL_CHILD_MONTHS = [0.1, 1, 2, 4, 6, 9, 12, 15, 18];
/** Acute visits a year by age band (0–17, 18–44, 45–64, 65+). */
const ACUTE_RATE = [1.0, 0.6, 0.7, 1.0];
const INPATIENT_RATE = [0.015, 0.03, 0.06, 0.14];
/** How a long-tail diagnosis behaves: resolves in three weeks, no prescription. */
const LONG_TAIL: AcuteSpec = { code: '', weight: 1, days: 21 };

function weighted(
  rng: Rng,
  specs: readonly AcuteSpec[],
  p: Person,
  age: number,
): AcuteSpec | undefined {
  const fits = specs.filter(
    (s) => (!s.sex || s.sex === p.gender) && (!s.ages || (age >= s.ages[0] && age <= s.ages[1])),
  );
  return fits.length ? new Weighted(fits.map((s) => [s, s.weight] as const)).draw(rng) : undefined;
}

/** Builds a person's visits in the window: each kind of care is its own planner below. */
class Planner {
  readonly visits: Draft[] = [];
  readonly from: number;

  constructor(
    private readonly rng: Rng,
    private readonly ref: ReferenceData,
    private readonly p: Person,
    private readonly w: Window,
  ) {
    this.from = Math.max(w.start, p.birth + DAY);
  }

  visit(kind: EncounterKind, start: number, extra: Partial<Draft> = {}): Draft {
    const v: Draft = {
      id: this.rng.uuid(),
      kind,
      start,
      virtual: false,
      diagnoses: [],
      reasons: [],
      orders: [],
      ...extra,
    };
    this.visits.push(v);
    return v;
  }

  diagnose(v: Draft, coding: Coding, days?: number): Diagnosis {
    const end = days === undefined ? undefined : v.start + days * DAY;
    const dx: Diagnosis = {
      id: this.rng.uuid(),
      coding,
      abatement: end && end < this.w.until ? end : undefined,
    };
    v.diagnoses.push(dx);
    v.reasons.push(coding);
    return dx;
  }

  wellVisits(): void {
    const { rng, p, w } = this;
    for (const m of WELL_CHILD_MONTHS) {
      const t = p.birth + m * 30.44 * DAY;
      if (t >= this.from && t < w.until) this.visit('wellChild', t);
    }
    for (let slot = w.start; slot < w.until; slot += YEAR) {
      const t = slot + rng.float() * YEAR;
      const age = ageAt(p, t);
      if (t < this.from || t >= w.until || age < 2) continue;
      if (rng.chance(age < 18 ? 0.85 : age < 65 ? 0.5 : 0.8))
        this.visit(age < 18 ? 'wellChild' : 'checkup', t);
    }
  }

  chronic(spec: ChronicSpec): void {
    const { rng, w } = this;
    const onset = this.from + rng.float() * (w.until - DAY - this.from);
    if (onset >= w.until - DAY) return;
    const code = new Weighted(spec.codes).draw(rng);
    const first = this.visit('problem', onset);
    const dx = this.diagnose(first, icdCoding(this.ref, code));
    const followUps = eventTimes(rng, spec.followUps, onset + 14 * DAY, w.until).map((t) =>
      this.visit('followUp', t, { virtual: rng.chance(0.15), reasons: [dx.coding] }),
    );
    if (!spec.drugs || !rng.chance(spec.treated ?? 0)) return;
    const rxnorm = new Weighted(spec.drugs).draw(rng);
    const renewals = [first, ...followUps];
    const stopped = rng.chance(0.1);
    renewals.forEach((v, i) => {
      const last = i === renewals.length - 1;
      v.orders.push({
        rxnorm,
        reason: dx,
        status: !last ? 'completed' : stopped ? 'stopped' : 'active',
      });
    });
  }

  episode(
    kind: EncounterKind,
    t: number,
    spec: AcuteSpec,
    coding = icdCoding(this.ref, spec.code),
  ): void {
    const v = this.visit(kind, t);
    const dx = this.diagnose(v, coding, spec.days);
    if (spec.drugs && this.rng.chance(spec.treated ?? 0)) {
      const rxnorm = new Weighted(spec.drugs).draw(this.rng);
      const status = this.rng.chance(0.05) ? 'stopped' : dx.abatement ? 'completed' : 'active';
      v.orders.push({ rxnorm, reason: dx, status });
    }
  }

  acute(): void {
    const { rng, p, w } = this;
    const rate = ACUTE_RATE[ageBand(ageAt(p, w.until))]!;
    for (const t of eventTimes(rng, rate, this.from, w.until)) {
      const age = ageAt(p, t);
      const spec = weighted(rng, ACUTE, p, age);
      if (!spec) continue;
      const r = rng.float();
      const kind = r < 0.35 ? 'symptom' : r < 0.72 ? 'problem' : r < 0.92 ? 'urgent' : 'emergency';
      // A long tail of everyday codes, so consumers meet more than the catalogue.
      if (age >= 18 && rng.chance(0.08))
        this.episode(kind, t, LONG_TAIL, icdCoding(this.ref, rng.pick(this.ref.icdLongTail)));
      else this.episode(kind, t, spec);
    }
    for (const t of eventTimes(rng, 0.012, this.from, w.until)) {
      const age = ageAt(p, t);
      const spec = age >= 15 && age <= 54 ? weighted(rng, STI, p, age) : undefined;
      if (spec) this.episode('problem', t, spec);
    }
    for (const t of eventTimes(
      rng,
      INPATIENT_RATE[ageBand(ageAt(p, w.until))]!,
      this.from,
      w.until,
    )) {
      const spec = weighted(rng, INPATIENT, p, ageAt(p, t));
      if (spec) this.episode('inpatient', t, spec);
    }
    if (ageAt(p, w.until) >= 80)
      for (const t of eventTimes(rng, 0.3, this.from, w.until)) this.visit('homeVisit', t);
  }

  pregnancies(): void {
    const { rng, p, w } = this;
    if (p.gender !== 'female') return;
    for (let t = nextEvent(rng, 0.08, this.from); t < w.until;) {
      const age = ageAt(p, t);
      const after = age < 18 || age > 44 ? t : this.pregnancy(t) + 180 * DAY;
      t = nextEvent(rng, 0.08, after);
    }
  }

  /** One pregnancy from conception `c`: prenatal visits, complications, delivery. Returns the delivery time. */
  private pregnancy(c: number): number {
    const { rng, w } = this;
    const week = 7 * DAY;
    const delivery = c + 39 * week + rng.int(-10, 7) * DAY;
    const visits = [8, 16, 24, 28, 32, 36, 38]
      .map((n) => c + n * week + rng.int(-3, 3) * DAY)
      .filter((t) => t < w.until)
      .map((t, i) => this.visit(i === 0 ? 'prenatalInitial' : 'prenatal', t));
    const [initial] = visits;
    if (!initial) return delivery;
    initial.orders.push({
      rxnorm: PRENATAL_IRON,
      status: delivery < w.until ? 'completed' : 'active',
    });
    const complicated = PREGNANCY_COMPLICATIONS.filter(([, p]) => rng.chance(p));
    for (const [code] of complicated) {
      const v = rng.pick(visits);
      this.diagnose(v, icdCoding(this.ref, code), (delivery - v.start) / DAY);
    }
    if (delivery < w.until) {
      const v = this.visit('delivery', delivery);
      if (!complicated.length) this.diagnose(v, icdCoding(this.ref, DELIVERY), 2);
    }
    return delivery;
  }

  contraception(): void {
    const { rng, p } = this;
    if (p.gender !== 'female' || !rng.chance(0.2)) return;
    const due = this.visits.filter(
      (v) => v.kind === 'checkup' && ageAt(p, v.start) >= 15 && ageAt(p, v.start) <= 49,
    );
    const rxnorm = new Weighted(CONTRACEPTIVES).draw(rng);
    due.forEach((v, i) =>
      v.orders.push({ rxnorm, status: i === due.length - 1 ? 'active' : 'completed' }),
    );
  }
}

/** Places a visit in the day: clinics open 08:00–17:00, hospitals any time. */
function schedule(rng: Rng, v: Draft, until: number): Visit {
  const spec = ENCOUNTER[v.kind];
  const day = Math.floor(v.start / DAY) * DAY;
  const start =
    spec.class === 'AMB' ? day + rng.int(8 * 60, 17 * 60) * 60 : Math.floor(v.start / 60) * 60;
  const end = start + rng.int(spec.minutes[0], spec.minutes[1]) * 60;
  return { ...v, start: Math.min(start, until - 3600), end: end < until ? end : undefined };
}

/**
 * Plans a person's encounters over the window, in time order: well visits,
 * chronic diagnoses and their follow-ups, acute episodes, stays, pregnancies.
 */
export function planVisits(rng: Rng, ref: ReferenceData, p: Person, w: Window): Visit[] {
  const planner = new Planner(rng, ref, p, w);
  planner.wellVisits();
  for (const spec of p.chronic) planner.chronic(spec);
  planner.acute();
  planner.pregnancies();
  planner.contraception();
  return planner.visits
    .map((v) => schedule(rng, v, w.until))
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
}
