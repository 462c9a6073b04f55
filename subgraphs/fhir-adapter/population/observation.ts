import { LOINC } from './clinical-catalogue.js';
import { concept, dateTime, hl7Code, quantity, type Coding, type Resource } from './fhir.js';
import { ageAt, DAY, type Person } from './person.js';
import type { Rng } from './prng.js';
import type { Visit } from './timeline.js';

type Category = 'vital-signs' | 'laboratory';

const FULL_VITALS = new Set<Visit['kind']>([
  'checkup',
  'wellChild',
  'inpatient',
  'prenatalInitial',
]);

/** The chronic conditions a person has been diagnosed with by a visit, by ICD-10-CM category. */
export type Known = (category: string) => boolean;

const FHIR_PROFILE: Record<string, string> = {
  '8867-4': 'heartrate',
  '85354-9': 'bp',
  '29463-7': 'bodyweight',
  '8302-2': 'bodyheight',
  '39156-5': 'bmi',
};

/** Height as a share of adult height by age (CDC growth charts, roughly). */
const GROWTH: readonly (readonly [age: number, share: number])[] = [
  [0, 0.29],
  [1, 0.44],
  [2, 0.51],
  [5, 0.64],
  [10, 0.82],
  [14, 0.95],
  [18, 1],
];

function interpolate(table: readonly (readonly [number, number])[], x: number): number {
  const i = table.findIndex(([at]) => at > x);
  if (i <= 0) return i === 0 ? table[0]![1] : table[table.length - 1]![1];
  const [x0, y0] = table[i - 1]!;
  const [x1, y1] = table[i]!;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

function observation(
  p: Person,
  v: Visit,
  category: Category,
  code: Coding,
  rest: object,
): Resource {
  const profileName = FHIR_PROFILE[code.code];
  return {
    resourceType: 'Observation',
    id: '',
    ...(profileName
      ? { meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${profileName}`] } }
      : {}),
    status: 'final',
    category: [
      hl7Code(
        'observation-category',
        category,
        category === 'laboratory' ? 'Laboratory' : 'Vital Signs',
      ),
    ],
    code: concept(code),
    subject: { reference: `Patient/${p.id}` },
    encounter: { reference: `Encounter/${v.id}` },
    effectiveDateTime: dateTime(v.start),
    issued: `${dateTime(v.start).slice(0, 19)}.000Z`,
    ...rest,
  };
}

/** Heart rate and blood pressure, higher with hypertension and age. */
function cardio(rng: Rng, p: Person, v: Visit, age: number, known: Known): Resource[] {
  const hr = age < 12 ? rng.normal(130 - 5 * age, 12, 60, 190) : rng.normal(74, 10, 45, 140);
  const htn = known('I10') ? 1 : 0;
  const sys =
    age < 18
      ? rng.normal(100 + age, 9, 75, 140)
      : rng.normal(112 + 0.45 * Math.max(0, age - 30) + 14 * htn, 11, 85, 210);
  const dia =
    age < 18
      ? rng.normal(60 + 0.6 * age, 7, 40, 90)
      : rng.normal(72 + 0.1 * (age - 30) + 8 * htn, 8, 45, 125);
  const component = (code: Coding, value: number) => ({
    code: concept(code),
    valueQuantity: quantity(value, 'mm[Hg]'),
  });
  return [
    observation(p, v, 'vital-signs', LOINC.heartRate, { valueQuantity: quantity(hr, '/min') }),
    observation(p, v, 'vital-signs', LOINC.bpPanel, {
      component: [component(LOINC.diastolic, dia), component(LOINC.systolic, sys)],
    }),
  ];
}

/** Expected BMI by age for children (CDC 50th percentile, roughly), meeting the adult's at 18. */
const CHILD_BMI: readonly (readonly [number, number])[] = [
  [0, 13.5],
  [1, 17],
  [5, 15.5],
  [12, 18.5],
];

/**
 * Weight, BMI (from age 2) and, when `withHeight`, height, from the person's
 * adult height and BMI, scaled down for children. Adults' height is seldom
 * re-measured, so most adult visits leave it out.
 */
function body(rng: Rng, p: Person, v: Visit, withHeight: boolean): Resource[] {
  const years = (v.start - p.birth) / (365.25 * DAY);
  const height = p.adultHeight * interpolate(GROWTH, years);
  const bmi = years < 18 ? interpolate([...CHILD_BMI, [18, p.bmi]], years) : p.bmi;
  const weight = (bmi * rng.normal(1, 0.03, 0.9, 1.1) * height * height) / 10_000;
  const out = [
    observation(p, v, 'vital-signs', LOINC.weight, { valueQuantity: quantity(weight, 'kg', 1) }),
  ];
  if (withHeight)
    out.push(
      observation(p, v, 'vital-signs', LOINC.height, { valueQuantity: quantity(height, 'cm', 1) }),
    );
  if (years >= 2)
    out.push(
      observation(p, v, 'vital-signs', LOINC.bmi, {
        valueQuantity: quantity((weight * 10_000) / (height * height), 'kg/m2', 1),
      }),
    );
  return out;
}

/** HbA1c for diabetics at every visit and some over-45s at check-ups; cholesterol for some over-40s. */
function labs(rng: Rng, p: Person, v: Visit, age: number, known: Known): Resource[] {
  const out: Resource[] = [];
  const checkup = v.kind === 'checkup';
  const diabetic = known('E11');
  if (
    (diabetic && (checkup || v.kind === 'followUp')) ||
    (checkup && age >= 45 && rng.chance(0.25))
  ) {
    const a1c = diabetic ? rng.normal(7.4, 1.1, 5.7, 13) : rng.normal(5.4, 0.35, 4.3, 6.4);
    out.push(
      observation(p, v, 'laboratory', LOINC.hba1c, { valueQuantity: quantity(a1c, '%', 1) }),
    );
  }
  if (checkup && age >= 40 && rng.chance(0.35)) {
    const chol = rng.normal(known('E78') ? 225 : 185, 30, 110, 350);
    out.push(
      observation(p, v, 'laboratory', LOINC.cholesterol, {
        valueQuantity: quantity(chol, 'mg/dL'),
      }),
    );
  }
  return out;
}

/**
 * The observations taken at a visit: full vital signs at check-ups, well-child
 * visits, admissions and first prenatal visits; weight and blood pressure at
 * prenatal visits; heart rate and blood pressure at ER visits and some office
 * visits; none at virtual or home visits. Then any labs.
 */
export function visitObservations(rng: Rng, p: Person, v: Visit, known: Known): Resource[] {
  if (v.virtual || v.kind === 'homeVisit') return [];
  const age = ageAt(p, v.start);
  const out: Resource[] = [];
  if (FULL_VITALS.has(v.kind))
    out.push(...cardio(rng, p, v, age, known), ...body(rng, p, v, age < 18 || rng.chance(0.3)));
  else if (v.kind === 'prenatal')
    out.push(cardio(rng, p, v, age, known)[1]!, body(rng, p, v, false)[0]!);
  else if (v.kind === 'emergency' || rng.chance(0.3)) out.push(...cardio(rng, p, v, age, known));
  out.push(...labs(rng, p, v, age, known));
  for (const o of out) o.id = rng.uuid();
  return out;
}
