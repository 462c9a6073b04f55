/**
 * k-anonymity of a record-level release, by generalising the quasi-identifiers
 * (age band, sex, ZIP3, year) along a fixed lattice and then dropping the
 * records still in classes smaller than k.
 *
 * The lattice (level 0 is the data as stored):
 * - age: 5-year bands (0-4 … 85-89, 90+) → 10-year (0-9 … 80-89, 90+) →
 *   20-year (0-19, 20-39, 40-59, 60-79, 80+) → "*"
 * - zip3: "661" → "66X" → "*"
 * - year: 2021 → 5-year period "2020-2024" → "*" (a 2-year step is left out:
 *   2-year periods do not nest in 5-year ones, and a lattice must nest)
 * - sex: as recorded → "*"
 *
 * The chosen node keeps the most information among those that suppress at
 * most `maxSuppression` of the records: the least generalisation (Sweeney's
 * precision loss, the sum of each level over its height), then the fewest
 * records dropped, then the most classes. The top node ("*" everywhere) is one
 * class of everyone, so some node qualifies whenever there are at least k
 * records; with fewer, nothing is released.
 */

/** The quasi-identifiers of a record, as the store keeps them. */
export interface QiRecord {
  /** A 5-year band, "0-4" … "85-89", or "90+" (ages are capped). */
  ageBand: string;
  sex: string;
  /** Three digits, "000" … "999". */
  zip3: string;
  year: number;
}

/** How far each quasi-identifier is generalised (0: as stored). */
export interface GeneralisationLevels {
  age: number;
  zip: number;
  year: number;
  sex: number;
}

/** A released record: everything but the quasi-identifiers unchanged; year is now a period. */
export type GeneralisedRecord<R extends QiRecord> = Omit<R, keyof QiRecord> & {
  ageBand: string;
  sex: string;
  zip3: string;
  period: string;
};

/** A k-anonymous release and how it was made. */
export interface KAnonymised<R extends QiRecord> {
  records: GeneralisedRecord<R>[];
  k: number;
  levels: GeneralisationLevels;
  /** Records dropped because their class stayed smaller than k. */
  suppressed: number;
  /** Equivalence classes released. */
  classes: number;
  /** Size of the smallest class released (0 when nothing is). */
  smallestClass: number;
}

/** The height of each quasi-identifier's hierarchy. */
export const MAX_LEVELS: GeneralisationLevels = { age: 3, zip: 2, year: 2, sex: 1 };

export const DEFAULT_K = 11;
export const DEFAULT_MAX_SUPPRESSION = 0.05;

const AGE_BANDS = [
  ...Array.from({ length: 18 }, (_, i) => `${i * 5}-${i * 5 + 4}`),
  '90+',
] as const;
const AGE_INDEX = new Map<string, number>(AGE_BANDS.map((b, i) => [b, i]));

/** Age band code (0..18) at a level, as a number (for grouping) and as words. */
function ageCode(a: number, level: number): number {
  if (level === 0) return a;
  if (level === 1) return Math.floor(a / 2);
  if (level === 2) return Math.min(Math.floor(a / 4), 4);
  return 0;
}

function ageLabel(a: number, level: number): string {
  const code = ageCode(a, level);
  if (level === 0) return AGE_BANDS[a]!;
  if (level === 1) return code === 9 ? '90+' : `${code * 10}-${code * 10 + 9}`;
  if (level === 2) return code === 4 ? '80+' : `${code * 20}-${code * 20 + 19}`;
  return '*';
}

const zipCode = (z: number, level: number) =>
  level === 0 ? z : level === 1 ? Math.floor(z / 10) : 0;
const zipLabel = (zip3: string, level: number) =>
  level === 0 ? zip3 : level === 1 ? `${zip3.slice(0, 2)}X` : '*';
const yearCode = (y: number, level: number) =>
  level === 0 ? y : level === 1 ? Math.floor(y / 5) : 0;
function periodLabel(y: number, level: number): string {
  if (level === 0) return String(y);
  if (level === 1) return `${Math.floor(y / 5) * 5}-${Math.floor(y / 5) * 5 + 4}`;
  return '*';
}

/** A record's quasi-identifiers as small integers. */
interface Coded {
  a: number;
  s: number;
  z: number;
  y: number;
}

function encode(records: readonly QiRecord[]): { coded: Coded[]; sexes: number; years: number } {
  const sexIndex = new Map<string, number>();
  let minYear = Infinity;
  for (const r of records) minYear = Math.min(minYear, r.year);
  const coded = records.map((r, i): Coded => {
    const a = AGE_INDEX.get(r.ageBand);
    if (a === undefined)
      throw new RangeError(`record ${i}: age band "${r.ageBand}" is not one of 0-4 … 90+`);
    if (!/^\d{3}$/.test(r.zip3)) throw new RangeError(`record ${i}: zip3 must be three digits`);
    if (!Number.isInteger(r.year)) throw new RangeError(`record ${i}: year must be an integer`);
    let s = sexIndex.get(r.sex);
    if (s === undefined) sexIndex.set(r.sex, (s = sexIndex.size));
    return { a, s, z: Number(r.zip3), y: r.year - Math.floor(minYear / 5) * 5 };
  });
  const years = coded.reduce((m, c) => Math.max(m, c.y), 0) + 1;
  return { coded, sexes: Math.max(sexIndex.size, 1), years };
}

/** The class key of a coded record at a lattice node. */
function keyAt(c: Coded, l: GeneralisationLevels, sexes: number, years: number): number {
  const s = l.sex === 0 ? c.s : 0;
  return (
    ((ageCode(c.a, l.age) * sexes + s) * 1000 + zipCode(c.z, l.zip)) * years + yearCode(c.y, l.year)
  );
}

/** An equivalence class at some node: one member's codes stand for all of them. */
interface Class {
  c: Coded;
  n: number;
}

/** What a lattice node does to the data. */
interface Outcome {
  levels: GeneralisationLevels;
  classes: Class[];
  suppressed: number;
  kept: number;
  smallestClass: number;
  /** lossOf(levels). */
  loss: number;
}

type Keyer = (c: Coded, levels: GeneralisationLevels) => number;

/** Groups classes (of the node below, or single records) into the classes of a node. */
function group(from: readonly Class[], levels: GeneralisationLevels, key: Keyer): Class[] {
  const classes = new Map<number, Class>();
  for (const { c, n } of from) {
    const k = key(c, levels);
    const into = classes.get(k);
    if (into) into.n += n;
    else classes.set(k, { c, n });
  }
  return [...classes.values()];
}

/** Precision loss × 6: each level over its hierarchy's height, summed (× 6 to stay whole). */
const lossOf = (l: GeneralisationLevels) => 2 * l.age + 3 * l.zip + 3 * l.year + 6 * l.sex;

function outcome(levels: GeneralisationLevels, classes: Class[], k: number): Outcome {
  let suppressed = 0;
  let kept = 0;
  let smallestClass = 0;
  for (const { n } of classes)
    if (n < k) suppressed += n;
    else {
      kept++;
      smallestClass = smallestClass === 0 ? n : Math.min(smallestClass, n);
    }
  return { levels, classes, suppressed, kept, smallestClass, loss: lossOf(levels) };
}

const nodeId = (l: GeneralisationLevels) => ((l.age * 3 + l.zip) * 3 + l.year) * 2 + l.sex;

/** Every node of the lattice, least generalised (by precision loss) first. */
const LATTICE: GeneralisationLevels[] = [];
for (let age = 0; age <= MAX_LEVELS.age; age++)
  for (let zip = 0; zip <= MAX_LEVELS.zip; zip++)
    for (let year = 0; year <= MAX_LEVELS.year; year++)
      for (let sex = 0; sex <= MAX_LEVELS.sex; sex++) LATTICE.push({ age, zip, year, sex });
LATTICE.sort((a, b) => lossOf(a) - lossOf(b));

/** The node below: one quasi-identifier one level less general (null at the bottom). */
function below(l: GeneralisationLevels): GeneralisationLevels | null {
  if (l.age > 0) return { ...l, age: l.age - 1 };
  if (l.zip > 0) return { ...l, zip: l.zip - 1 };
  if (l.year > 0) return { ...l, year: l.year - 1 };
  if (l.sex > 0) return { ...l, sex: l.sex - 1 };
  return null;
}

/**
 * The best node within the budget: nodes are visited least loss first, and
 * the search stops after the last node of the first loss that fits. Each
 * node's classes are grouped from the node below's (already few), not from
 * the records: the hierarchies nest, so a class never splits going up.
 */
function search(coded: readonly Coded[], k: number, budget: number, key: Keyer): Outcome | null {
  const seen = new Map<number, Class[]>();
  const singles = coded.map((c) => ({ c, n: 1 }));
  let best: Outcome | null = null;
  for (const levels of LATTICE) {
    if (best && lossOf(levels) > best.loss) break;
    const from = below(levels);
    const classes = group(from ? seen.get(nodeId(from))! : singles, levels, key);
    seen.set(nodeId(levels), classes);
    const found = outcome(levels, classes, k);
    if (found.suppressed > budget) continue;
    if (
      !best ||
      found.suppressed < best.suppressed ||
      (found.suppressed === best.suppressed && found.kept > best.kept)
    )
      best = found;
  }
  return best;
}

/**
 * A k-anonymous version of the records: the least generalisation that drops
 * at most `maxSuppression` of them, then without the records whose class is
 * still smaller than k. Record order is kept; fewer than k records release
 * nothing.
 */
export function kAnonymise<R extends QiRecord>(
  records: readonly R[],
  opts: { k?: number; maxSuppression?: number } = {},
): KAnonymised<R> {
  const k = opts.k ?? DEFAULT_K;
  const maxSuppression = opts.maxSuppression ?? DEFAULT_MAX_SUPPRESSION;
  if (!Number.isInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
  if (!(maxSuppression >= 0 && maxSuppression <= 1))
    throw new RangeError('maxSuppression must be a fraction from 0 to 1');
  const { coded, sexes, years } = encode(records);
  const key: Keyer = (c, l) => keyAt(c, l, sexes, years);
  const best = search(coded, k, Math.floor(maxSuppression * records.length), key);
  if (!best)
    return {
      records: [],
      k,
      levels: { ...MAX_LEVELS },
      suppressed: records.length,
      classes: 0,
      smallestClass: 0,
    };
  const { levels } = best;
  const sizes = new Map(best.classes.map(({ c, n }) => [key(c, levels), n]));
  const out: GeneralisedRecord<R>[] = [];
  records.forEach((r, i) => {
    if (sizes.get(key(coded[i]!, levels))! < k) return;
    const { ageBand, sex, zip3, year, ...rest } = r;
    out.push({
      ...rest,
      ageBand: levels.age === 0 ? ageBand : ageLabel(coded[i]!.a, levels.age),
      sex: levels.sex === 0 ? sex : '*',
      zip3: zipLabel(zip3, levels.zip),
      period: periodLabel(year, levels.year),
    });
  });
  return {
    records: out,
    k,
    levels,
    suppressed: best.suppressed,
    classes: best.kept,
    smallestClass: best.smallestClass,
  };
}

const AGE_WORDS = [
  'age in 5-year bands',
  'age in 10-year bands',
  'age in 20-year bands',
  'age withheld',
];
const ZIP_WORDS = ['3-digit ZIP', 'ZIP to 2 digits (e.g. 66X)', 'ZIP withheld'];
const YEAR_WORDS = ['calendar year', 'year in 5-year periods', 'year withheld'];
const SEX_WORDS = ['sex as recorded', 'sex withheld'];

/** The generalisation in words, for release notes. */
export function describeGeneralisation(levels: GeneralisationLevels): string {
  const pick = (words: readonly string[], level: number) =>
    words[Math.min(Math.max(level, 0), words.length - 1)]!;
  return [
    pick(AGE_WORDS, levels.age),
    pick(SEX_WORDS, levels.sex),
    pick(ZIP_WORDS, levels.zip),
    pick(YEAR_WORDS, levels.year),
  ].join('; ');
}
