/**
 * The coded values open data keeps, by code system: each system's own code
 * shape, so a value that is not a code of that system (an identifier or a
 * name someone typed into a code) is dropped. Free text (`display`, `text`,
 * notes) never reaches the events at all.
 */
const SYSTEMS: readonly { alias: string; uris: readonly string[]; shape: RegExp }[] = [
  {
    alias: 'icd10',
    uris: ['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10'],
    shape: /^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/,
  },
  { alias: 'snomed', uris: ['http://snomed.info/sct'], shape: /^[1-9][0-9]{5,17}$/ },
  { alias: 'loinc', uris: ['http://loinc.org'], shape: /^[0-9]{1,7}-[0-9]$/ },
  {
    alias: 'rxnorm',
    uris: ['http://www.nlm.nih.gov/research/umls/rxnorm'],
    shape: /^[0-9]{1,12}$/,
  },
  { alias: 'cvx', uris: ['http://hl7.org/fhir/sid/cvx'], shape: /^[0-9]{1,3}$/ },
  {
    alias: 'act',
    uris: ['http://terminology.hl7.org/CodeSystem/v3-ActCode'],
    shape: /^[A-Z]{2,8}$/,
  },
];

const BY_URI = new Map(SYSTEMS.flatMap((s) => s.uris.map((u) => [u, s] as const)));

/**
 * Verhoeff check digit, which every SNOMED CT identifier ends with: a
 * nine-digit number typed into a SNOMED code (a Social Security number) fails
 * it nine times in ten.
 */
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

export function verhoeffValid(digits: string): boolean {
  let c = 0;
  const n = digits.length;
  for (let i = 0; i < n; i++) c = D[c]![P[i % 8]![Number(digits[n - 1 - i])]!]!;
  return c === 0;
}

/** `alias|code` for a code of an allowed system in that system's shape, else null. */
export function safeCode(system: string | null, code: string): string | null {
  const s = system ? BY_URI.get(system) : undefined;
  if (!s || !s.shape.test(code)) return null;
  if (s.alias === 'snomed' && !verhoeffValid(code)) return null;
  return `${s.alias}|${s.alias === 'icd10' ? code.replace('.', '') : code}`;
}

/** ICD-10-CM chapters by their first code, for condition categories (`I00-I99`). */
const CHAPTERS: readonly [string, string][] = [
  ['A00', 'B99'],
  ['C00', 'D49'],
  ['D50', 'D89'],
  ['E00', 'E89'],
  ['F01', 'F99'],
  ['G00', 'G99'],
  ['H00', 'H59'],
  ['H60', 'H95'],
  ['I00', 'I99'],
  ['J00', 'J99'],
  ['K00', 'K95'],
  ['L00', 'L99'],
  ['M00', 'M99'],
  ['N00', 'N99'],
  ['O00', 'O9A'],
  ['P00', 'P96'],
  ['Q00', 'Q99'],
  ['R00', 'R99'],
  ['S00', 'T88'],
  ['V00', 'Y99'],
  ['Z00', 'Z99'],
];

/** Every condition category (ICD-10-CM chapter), in chapter order: a query's fixed domain. */
export const CONDITION_CATEGORIES: readonly string[] = CHAPTERS.map(
  ([a, b]) => `${a}-${b.replace('9A', '99')}`,
);

/** The ICD-10-CM chapter of a kept ICD-10 code (`icd10|I10` → `I00-I99`), else null. */
export function conditionCategory(codes: readonly string[]): string | null {
  for (const c of codes) {
    if (!c.startsWith('icd10|')) continue;
    const head = c.slice(6, 9);
    const i = CHAPTERS.findIndex(([a, b]) => head >= a && head <= b);
    if (i >= 0) return CONDITION_CATEGORIES[i]!;
  }
  return null;
}
