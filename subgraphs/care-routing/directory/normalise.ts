import { stateTimeZone, UNKNOWN_TIME_ZONE } from '../domain/state-time-zones.js';

/** A trimmed value, or null when blank. */
export function text(value: string | undefined | null, max?: number): string | null {
  const t = value?.trim();
  if (!t) return null;
  return max !== undefined && t.length > max ? t.slice(0, max) : t;
}

/**
 * The first five digits of a ZIP or ZIP+4, zero-padded where a spreadsheet
 * dropped leading zeros (`1730` → `01730`, an 8-digit ZIP+4 → its 9 digits);
 * null when it is not a ZIP.
 */
export function zip5(value: string | undefined | null): string | null {
  const digits = value?.trim().replace(/-/g, '') ?? '';
  if (!/^[0-9]+$/.test(digits)) return null;
  if (digits.length <= 5) return digits.padStart(5, '0');
  if (digits.length <= 9) return digits.padStart(9, '0').slice(0, 5);
  return null;
}

/** The digits of the first phone number a field lists (`603-624-4366 Or 603-…`), or null. */
export function phoneDigits(value: string | undefined | null): string | null {
  const first = value?.split(/\bor\b|[/;,]/i)[0] ?? '';
  const digits = first.replace(/[^0-9]/g, '');
  return digits ? digits.slice(0, 40) : null;
}

/** A ZIP's region: its first three digits, or 'unknown'. */
export function regionOf(zip: string | null): string {
  return zip ? zip.slice(0, 3) : 'unknown';
}

/** A two-letter state code, upper-cased, or null. */
export function stateCode(value: string | undefined | null): string | null {
  const s = value?.trim().toUpperCase();
  return s && /^[A-Z]{2}$/.test(s) ? s : null;
}

/** The facility's zone from its state; `known` false means {@link UNKNOWN_TIME_ZONE} was used. */
export function timeZoneOf(state: string | null): { timeZone: string; known: boolean } {
  const zone = stateTimeZone(state);
  return zone ? { timeZone: zone, known: true } : { timeZone: UNKNOWN_TIME_ZONE, known: false };
}

/** A whole non-negative count, or null. */
export function count(value: string | undefined | null): number | null {
  const t = value?.trim();
  if (!t || !/^[0-9]+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n <= 2_147_483_647 ? n : null;
}

/** Coordinates checked: missing, out of range or the 0,0 placeholder say why. */
export function coordinates(
  lat: string | number | undefined | null,
  lon: string | number | undefined | null,
):
  | { ok: true; lat: number; lon: number }
  | { ok: false; reason: 'missing-coordinates' | 'invalid-coordinates' } {
  const blank = (v: string | number | undefined | null) =>
    v === undefined || v === null || (typeof v === 'string' && !v.trim());
  if (blank(lat) || blank(lon)) return { ok: false, reason: 'missing-coordinates' };
  const la = Number(lat);
  const lo = Number(lon);
  if (!Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180)
    return { ok: false, reason: 'invalid-coordinates' };
  if (la === 0 && lo === 0) return { ok: false, reason: 'invalid-coordinates' };
  return { ok: true, lat: la, lon: lo };
}

const CORPORATE_SUFFIXES = new Set(['INC', 'LLC', 'PA', 'PC', 'LLP', 'PLLC', 'CORP', 'LTD', 'CO']);

/**
 * A facility name for matching: upper case, `&` as AND, apostrophes dropped
 * (`LUKE'S` = `LUKES`), other punctuation as spaces, corporate suffixes (INC,
 * LLC, PA…) at the end dropped.
 */
export function normaliseName(name: string): string {
  const words = name
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/['’`]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  while (words.length > 1 && CORPORATE_SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}
