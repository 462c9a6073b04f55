/**
 * HIPAA Safe Harbor (45 CFR 164.514(b)(2)) as open data applies it to what
 * the events carry: every date reduced to its year, ages over 89 one group,
 * ZIP codes to three digits with the low-population prefixes as `000`, and
 * nothing else of the patient kept (the other identifiers never reach the
 * events; free text is never read).
 */

/**
 * Three-digit ZIP prefixes whose areas held 20,000 people or fewer in the
 * 2000 Census (../shared/data/README.md): Safe Harbor releases them as `000`.
 */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set([
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
]);

/** A ZIP code (5 digits, ZIP+4 or already 3) as Safe Harbor keeps it; null when it is not one. */
export function safeZip3(zip: string | null | undefined): string | null {
  const m = /^(\d{3})(\d{2}(-?\d{4})?)?$/.exec(zip?.trim() ?? '');
  if (!m) return null;
  return RESTRICTED_ZIP3.has(m[1]!) ? '000' : m[1]!;
}

/** The year of a FHIR date or dateTime (`2019`, `2019-04`, `2019-04-02T10:00:00Z`), or null. */
export function yearOf(date: string | null | undefined): number | null {
  const m = /^(\d{4})(-|$)/.exec(date ?? '');
  return m ? Number(m[1]) : null;
}

/** Ages of 90 and over are one group: Safe Harbor's "90 or older". */
export const OLDEST_AGE = 90;

/** Whether someone born in `birthYear` may be over 89 in `year` (a year's birthdays not known). */
export const over89 = (birthYear: number, year: number): boolean => year - birthYear > 89;

/** Five-year age bands, the oldest `90+`. */
export const AGE_BANDS: readonly string[] = [
  ...Array.from({ length: 18 }, (_, i) => `${i * 5}-${i * 5 + 4}`),
  '90+',
];

/** The band of an age in whole years (negative ages are not ages: null). */
export function ageBand(age: number): string | null {
  if (!Number.isInteger(age) || age < 0) return null;
  if (age >= OLDEST_AGE) return '90+';
  const low = Math.floor(age / 5) * 5;
  return `${low}-${low + 4}`;
}

/**
 * A subject's year of birth as the store may keep it at `refYear`: the year
 * while they are at most 89, else nothing and the 90-or-older flag (their
 * ages then all read `90+`, as every date element indicative of an age over
 * 89 must be aggregated).
 */
export function storedBirthYear(
  birthYear: number | null,
  refYear: number,
): { birthYear: number | null; aged90Plus: boolean } {
  if (birthYear === null) return { birthYear: null, aged90Plus: false };
  return over89(birthYear, refYear)
    ? { birthYear: null, aged90Plus: true }
    : { birthYear, aged90Plus: false };
}
