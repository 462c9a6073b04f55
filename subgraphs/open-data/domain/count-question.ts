import { badInput } from '../../../platform/errors/index.js';
import { CONDITION_CATEGORIES } from './codes.js';
import { AGE_BANDS } from './safe-harbor.js';

/** What an answer's cells may be grouped by. */
export const DIMENSIONS = [
  'YEAR',
  'AGE_BAND',
  'SEX',
  'ZIP3',
  'CONDITION_CATEGORY',
  'FACILITY_REGION',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Dimensions of the patient (one cell per patient) and of their facts (many per patient). */
const PERSON_DIMENSIONS: ReadonlySet<Dimension> = new Set(['SEX', 'ZIP3']);

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
const ZIP3S = [...Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')), 'unknown'];

/** The most cells one answer may hold, and the most years it may span. */
export const MAX_CELLS = 20_000;
export const MAX_YEARS = 30;
/** The most cells one patient may add to (contribution bound): the noise scales with it. */
export const MAX_CONTRIBUTIONS = 20;

/** Who counts: patients with at least one fact matching every given filter. */
export interface CohortFilter {
  /** FHIR resource types of the facts (`Condition`, `Encounter`, …). */
  resourceTypes: readonly string[];
  /** Condition categories (ICD-10-CM chapters, e.g. `I00-I99`). */
  conditionCategories: readonly string[];
  /** Kept codes, `system|code` (`icd10|E119`, `rxnorm|860975`, `snomed|44054006`). */
  codes: readonly string[];
  sexes: readonly string[];
  ageBands: readonly string[];
  zip3s: readonly string[];
  /** Encounter classes (`IMP`, `AMB`, `EMER`). */
  encounterClasses: readonly string[];
}

/** A question as asked, checked and in its canonical form (what the ledger keeps). */
export interface CountQuestion {
  filter: CohortFilter;
  groupBy: readonly Dimension[];
  yearFrom: number;
  yearTo: number;
  epsilon: number;
  /** A second cohort the counted one is a share of: the answer gives rates. */
  rateOf: CohortFilter | null;
}

/**
 * The fixed set of values a dimension's cells take: never read from the
 * data (which cells exist would itself leak who is in it).
 */
export function domainOf(d: Dimension, yearFrom: number, yearTo: number): readonly string[] {
  switch (d) {
    case 'YEAR':
      return Array.from({ length: yearTo - yearFrom + 1 }, (_, i) => String(yearFrom + i));
    case 'AGE_BAND':
      return [...AGE_BANDS, 'unknown'];
    case 'SEX':
      return SEXES;
    case 'ZIP3':
    case 'FACILITY_REGION':
      return ZIP3S;
    case 'CONDITION_CATEGORY':
      return [...CONDITION_CATEGORIES, 'none'];
  }
}

/**
 * How many cells one patient can add to (the sensitivity the noise is
 * scaled to): 1 per dimension of the patient (sex, ZIP3), 1 for the age band
 * beside the year (a year fixes the age band), else as many as the
 * dimension has values; at most `MAX_CONTRIBUTIONS` (a patient in more has
 * the rest dropped, in an order fixed by their pseudonym).
 */
export function sensitivityOf(q: Pick<CountQuestion, 'groupBy' | 'yearFrom' | 'yearTo'>): number {
  const spread = q.groupBy.reduce((n, d) => {
    if (PERSON_DIMENSIONS.has(d) || (d === 'AGE_BAND' && q.groupBy.includes('YEAR'))) return n;
    return n * domainOf(d, q.yearFrom, q.yearTo).length;
  }, 1);
  return Math.min(MAX_CONTRIBUTIONS, spread);
}

const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

function checkValues(
  field: string,
  values: readonly string[],
  allowed: readonly string[] | RegExp,
  max = 100,
): string[] {
  if (values.length > max) throw badInput(`${field} takes at most ${max} values`, field);
  for (const v of values) {
    const ok = Array.isArray(allowed) ? allowed.includes(v) : (allowed as RegExp).test(v);
    if (!ok) throw badInput(`${field} holds a value it does not know`, field);
  }
  return sorted(values);
}

/** A filter checked and canonical (sorted, no duplicates); throws BAD_USER_INPUT naming the field. */
export function checkFilter(f: Partial<CohortFilter> | null | undefined, at: string): CohortFilter {
  return {
    resourceTypes: checkValues(
      `${at}.resourceTypes`,
      f?.resourceTypes ?? [],
      /^[A-Z][A-Za-z]{1,63}$/,
    ),
    conditionCategories: checkValues(
      `${at}.conditionCategories`,
      f?.conditionCategories ?? [],
      CONDITION_CATEGORIES,
    ),
    codes: checkValues(
      `${at}.codes`,
      f?.codes ?? [],
      /^(icd10\|[A-Z][0-9][0-9A-Z]{1,5}|snomed\|[0-9]{6,18}|loinc\|[0-9]{1,7}-[0-9]|rxnorm\|[0-9]{1,12}|cvx\|[0-9]{1,3}|act\|[A-Z]{2,8})$/,
    ),
    sexes: checkValues(`${at}.sexes`, f?.sexes ?? [], SEXES),
    ageBands: checkValues(`${at}.ageBands`, f?.ageBands ?? [], [...AGE_BANDS, 'unknown']),
    zip3s: checkValues(`${at}.zip3s`, f?.zip3s ?? [], /^[0-9]{3}$/, 1000),
    encounterClasses: checkValues(
      `${at}.encounterClasses`,
      f?.encounterClasses ?? [],
      /^[A-Z]{2,8}$/,
    ),
  };
}

/** Checks a question against the limits; throws BAD_USER_INPUT naming the field. */
export function checkQuestion(
  q: {
    filter?: Partial<CohortFilter> | null;
    groupBy?: readonly Dimension[] | null;
    yearFrom: number;
    yearTo: number;
    epsilon: number;
    rateOf?: Partial<CohortFilter> | null;
  },
  maxEpsilon: number,
): CountQuestion {
  if (!Number.isInteger(q.yearFrom) || !Number.isInteger(q.yearTo) || q.yearFrom < 1900)
    throw badInput('yearFrom and yearTo must be years from 1900', 'yearFrom');
  if (q.yearTo < q.yearFrom || q.yearTo - q.yearFrom + 1 > MAX_YEARS)
    throw badInput(`yearTo must follow yearFrom, at most ${MAX_YEARS} years on`, 'yearTo');
  if (!Number.isFinite(q.epsilon) || q.epsilon <= 0 || q.epsilon > maxEpsilon)
    throw badInput(`epsilon must be above 0 and at most ${maxEpsilon}`, 'epsilon');
  // The ledger charges whole micro-epsilons, exactly what the noise spends.
  if (Math.abs(Math.round(q.epsilon * 1e6) - q.epsilon * 1e6) > 1e-6)
    throw badInput('epsilon takes at most six decimals', 'epsilon');
  if (q.rateOf && q.epsilon < 2e-6)
    throw badInput('a rate needs epsilon of at least 0.000002 (it is split in two)', 'epsilon');
  const groupBy = [...new Set(q.groupBy ?? [])];
  if (groupBy.length > 3) throw badInput('groupBy takes at most 3 dimensions', 'groupBy');
  const question: CountQuestion = {
    filter: checkFilter(q.filter, 'filter'),
    groupBy: DIMENSIONS.filter((d) => groupBy.includes(d)),
    yearFrom: q.yearFrom,
    yearTo: q.yearTo,
    epsilon: q.epsilon,
    rateOf: q.rateOf ? checkFilter(q.rateOf, 'rateOf') : null,
  };
  if (cellCount(question) > MAX_CELLS)
    throw badInput(`The grouping makes more than ${MAX_CELLS} cells; group by less`, 'groupBy');
  return question;
}

/** How many cells the answer has (the product of the dimensions' domains). */
export function cellCount(q: Pick<CountQuestion, 'groupBy' | 'yearFrom' | 'yearTo'>): number {
  return q.groupBy.reduce((n, d) => n * domainOf(d, q.yearFrom, q.yearTo).length, 1);
}

/** Every cell's key (its values in `groupBy` order, joined by `|`), in a fixed order. */
export function cellKeys(q: Pick<CountQuestion, 'groupBy' | 'yearFrom' | 'yearTo'>): string[][] {
  let keys: string[][] = [[]];
  for (const d of q.groupBy)
    keys = keys.flatMap((k) => domainOf(d, q.yearFrom, q.yearTo).map((v) => [...k, v]));
  return keys;
}
