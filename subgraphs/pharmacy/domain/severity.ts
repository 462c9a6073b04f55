/**
 * One severity scale for every interaction source, strictest first. Each
 * source's own words map onto it here, and only here:
 *
 * - ONC high-priority list (Phansalkar et al., JAMIA 2012): every pair is a
 *   "high-priority DDI that should be interruptive", and the file has no
 *   severity column, so every ONC row is HIGH.
 * - WorldVistA / ANSM (the French agency's four levels, in English or French):
 *   `CONTRAINDICATION` / `Contre-indication` → CONTRAINDICATED;
 *   `Not recommended` / `Association DECONSEILLEE` → HIGH;
 *   `Precaution for use` / `Precaution d'emploi` → MODERATE;
 *   `Take into account` / `A prendre en compte` → MINOR.
 *
 * A word no mapping knows is treated as HIGH (it still interrupts, and the
 * import reports it) rather than being dropped or played down.
 */
export const SEVERITIES = ['CONTRAINDICATED', 'HIGH', 'MODERATE', 'MINOR'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severities that stop a prescription until a prescriber overrides them. */
export function isBlocking(severity: Severity | 'INFO'): boolean {
  return severity === 'CONTRAINDICATED' || severity === 'HIGH';
}

/** Rank: 0 is the strictest. */
export const severityRank = (s: Severity | 'INFO'): number =>
  s === 'INFO' ? SEVERITIES.length : SEVERITIES.indexOf(s);

/** The stricter of two severities. */
export const stricter = <S extends Severity | 'INFO'>(a: S, b: S): S =>
  severityRank(a) <= severityRank(b) ? a : b;

/** Every ONC high-priority pair is interruptive. */
export const ONC_SEVERITY: Severity = 'HIGH';

const WORLDVISTA: Record<string, Severity> = {
  contraindication: 'CONTRAINDICATED',
  'contre-indication': 'CONTRAINDICATED',
  'not recommended': 'HIGH',
  'association deconseillee': 'HIGH',
  'precaution for use': 'MODERATE',
  "precaution d'emploi": 'MODERATE',
  'take into account': 'MINOR',
  'a prendre en compte': 'MINOR',
};

/**
 * Maps a WorldVistA/ANSM severity word; `known` is false for a word outside
 * the table (mapped to HIGH, see above).
 */
export function worldvistaSeverity(word: string): { severity: Severity; known: boolean } {
  const key = word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const severity = WORLDVISTA[key];
  return severity ? { severity, known: true } : { severity: 'HIGH', known: false };
}
