import type { EntityManager } from '@mikro-orm/postgresql';
import type { DrugRow } from '../domain/safety-checks.js';

export type { Coding, DrugRow } from '../domain/safety-checks.js';

interface DrugDbRow {
  rxcui: string;
  name: string;
  tty: string;
  dose_form: string | null;
  strength: string | null;
  unit_price_minor: string | null;
  currency: string;
  ingredients: { id: string; name: string }[];
  interaction_coverage: boolean;
}

/**
 * A drug with its ingredients and whether any of them has an interaction
 * row (`WHERE` and `ORDER BY` are appended by the caller).
 */
export const DRUG_SELECT = `
  SELECT d.rxcui, d.name, d.tty, d.dose_form, d.strength, d.unit_price_minor::text AS unit_price_minor,
    d.currency,
    COALESCE((SELECT json_agg(json_build_object('id', i.id, 'name', i.name) ORDER BY i.name, i.id)
      FROM pharmacy.drug_ingredient di JOIN pharmacy.ingredient i ON i.id = di.ingredient_id
      WHERE di.rxcui = d.rxcui), '[]'::json) AS ingredients,
    EXISTS (SELECT 1 FROM pharmacy.drug_ingredient di
      WHERE di.rxcui = d.rxcui AND (
        EXISTS (SELECT 1 FROM pharmacy.interaction x WHERE x.ingredient_a = di.ingredient_id)
        OR EXISTS (SELECT 1 FROM pharmacy.interaction x WHERE x.ingredient_b = di.ingredient_id)))
      AS interaction_coverage
  FROM pharmacy.drug d`;

export const toDrugRow = (r: DrugDbRow): DrugRow => ({
  rxcui: r.rxcui,
  name: r.name,
  tty: r.tty,
  doseForm: r.dose_form,
  strength: r.strength,
  unitPriceMinor: r.unit_price_minor === null ? null : BigInt(r.unit_price_minor),
  currency: r.currency,
  ingredients: r.ingredients,
  interactionCoverage: r.interaction_coverage,
});

/** Drugs by RxCUI, in one statement; unknown codes are absent from the map. */
export async function drugsByRxcui(
  em: EntityManager,
  rxcuis: readonly string[],
): Promise<Map<string, DrugRow>> {
  if (rxcuis.length === 0) return new Map();
  const rows = await em.execute<DrugDbRow[]>(
    `${DRUG_SELECT} WHERE d.rxcui IN (SELECT json_array_elements_text(?::json))`,
    [JSON.stringify(rxcuis)],
  );
  return new Map(rows.map((r) => [r.rxcui, toDrugRow(r)]));
}

/** A page cursor: the last row's name and RxCUI. */
const cursorOf = (r: DrugRow): string =>
  Buffer.from(JSON.stringify([r.name, r.rxcui])).toString('base64url');

function parseCursor(after: string): [string, string] | null {
  try {
    const v = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 2) return null;
    const [name, rxcui] = v as unknown[];
    return typeof name === 'string' && typeof rxcui === 'string' ? [name, rxcui] : null;
  } catch {
    return null;
  }
}

/** The cursor of a row, for the caller's page info. */
export const drugCursor = cursorOf;

/**
 * Drugs by name then RxCUI, `first` at a time after the cursor `after`
 * (a `drugCursor`); `text` matches the name case-insensitively anywhere.
 * An unreadable cursor starts from the beginning.
 */
export async function searchDrugs(
  em: EntityManager,
  q: { text?: string; first: number; after?: string },
): Promise<{ rows: DrugRow[]; hasNext: boolean }> {
  const after = q.after ? parseCursor(q.after) : null;
  const pattern = q.text?.trim() ? `%${q.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await em.execute<DrugDbRow[]>(
    `${DRUG_SELECT}
     WHERE (?::text IS NULL OR d.name ILIKE ?::text)
       AND (?::text IS NULL OR (d.name, d.rxcui) > (?::text, ?::text))
     ORDER BY d.name, d.rxcui LIMIT ?`,
    [pattern, pattern, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, q.first + 1],
  );
  return { rows: rows.slice(0, q.first).map(toDrugRow), hasNext: rows.length > q.first };
}
