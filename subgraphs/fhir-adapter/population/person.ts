import type { ChronicSpec } from './conditions-catalogue.js';
import { CHRONIC } from './conditions-catalogue.js';
import { FAMILY, GIVEN_FEMALE, GIVEN_MALE, STREET, STREET_SUFFIX } from './names.js';
import type { Rng } from './prng.js';
import { Weighted } from './prng.js';
import type { Facility, Place, ReferenceData } from './reference-data.js';

export const DAY = 86_400;
export const YEAR = 365.25 * DAY;

/** The window a population covers, in epoch seconds. */
export interface Window {
  start: number;
  until: number;
}

/** A synthetic person: demographics plus the baselines their observations vary around. */
export interface Person {
  id: string;
  gender: 'female' | 'male';
  /** Epoch seconds, midnight UTC. */
  birth: number;
  given: string[];
  family: string;
  place: Place;
  line: string;
  phone: string;
  ssn: string;
  hospital?: Facility;
  urgentCare?: Facility;
  /** Adult height (cm) and body mass index; children grow into them. */
  adultHeight: number;
  bmi: number;
  /** Chronic conditions they have by the window's end. */
  chronic: ChronicSpec[];
}

/**
 * Age bands (years, at the window's end) and their share of the US population
 * (Census 2020, rounded); 90+ kept apart so very old patients always appear.
 */
const AGE_BANDS = new Weighted<readonly [number, number]>([
  [[0, 4], 5.7],
  [[5, 9], 6.0],
  [[10, 14], 6.4],
  [[15, 19], 6.5],
  [[20, 24], 6.5],
  [[25, 34], 13.7],
  [[35, 44], 12.8],
  [[45, 54], 12.2],
  [[55, 64], 12.9],
  [[65, 74], 9.8],
  [[75, 84], 4.8],
  [[85, 89], 1.3],
  [[90, 99], 0.7],
  [[100, 104], 0.03],
]);

/** Whole years between `birth` and `at`. */
export function ageAt(person: Pick<Person, 'birth'>, at: number): number {
  const b = new Date(person.birth * 1000);
  const t = new Date(at * 1000);
  const had =
    t.getUTCMonth() > b.getUTCMonth() ||
    (t.getUTCMonth() === b.getUTCMonth() && t.getUTCDate() >= b.getUTCDate());
  return t.getUTCFullYear() - b.getUTCFullYear() - (had ? 0 : 1);
}

/** Index into a `ByAge` tuple: 0–17, 18–44, 45–64, 65+. */
export function ageBand(age: number): 0 | 1 | 2 | 3 {
  return age < 18 ? 0 : age < 45 ? 1 : age < 65 ? 2 : 3;
}

const tag = (rng: Rng, name: string) => `${name}${rng.int(1, 999)}`;
const digits = (rng: Rng, n: number) => String(rng.int(0, 10 ** n - 1)).padStart(n, '0');

function chronicFor(rng: Rng, gender: Person['gender'], age: number): ChronicSpec[] {
  const band = ageBand(age);
  return CHRONIC.filter((c) => (!c.sex || c.sex === gender) && rng.chance(c.prevalence[band]));
}

/** Draws one person living at `window.until`. */
export function drawPerson(rng: Rng, ref: ReferenceData, window: Window): Person {
  const id = rng.uuid();
  const gender = rng.chance(0.505) ? 'female' : 'male';
  const [lo, hi] = AGE_BANDS.draw(rng);
  const ageDays = Math.floor((lo + rng.float() * (hi - lo + 1)) * 365.25);
  const birth = Math.floor(window.until / DAY - 1 - ageDays) * DAY;
  const given = [tag(rng, rng.pick(gender === 'female' ? GIVEN_FEMALE : GIVEN_MALE))];
  if (rng.chance(0.6))
    given.push(tag(rng, rng.pick(gender === 'female' ? GIVEN_FEMALE : GIVEN_MALE)));
  const place = ref.places.draw(rng);
  const hospitals = ref.hospitals.get(place.state);
  const urgent = ref.urgentCare.get(place.state);
  const age = ageAt({ birth }, window.until);
  const chronic = chronicFor(rng, gender, age);
  const obese = chronic.some((c) => c.codes[0]![0].startsWith('E66'));
  return {
    id,
    gender,
    birth,
    given,
    family: tag(rng, rng.pick(FAMILY)),
    place,
    line: `${rng.int(1, 9999)} ${rng.pick(STREET)} ${rng.pick(STREET_SUFFIX)}`,
    phone: `555-${digits(rng, 3)}-${digits(rng, 4)}`,
    ssn: `999-${digits(rng, 2)}-${digits(rng, 4)}`,
    hospital: hospitals ? rng.pick(hospitals) : undefined,
    urgentCare: urgent ? rng.pick(urgent) : undefined,
    adultHeight:
      gender === 'female' ? rng.normal(162, 7, 140, 190) : rng.normal(176, 7.5, 150, 205),
    bmi: obese ? rng.normal(34, 4, 30, 55) : rng.normal(27, 4.5, 17, 45),
    chronic,
  };
}
