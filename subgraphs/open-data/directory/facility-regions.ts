import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parse } from 'csv-parse/sync';
import { executeBound } from '../../../platform/db/bound.js';
import { safeZip3 } from '../domain/safe-harbor.js';

/** The public facility directory files (CMS/HIFLD via Synthea) care routing imports too. */
export const DIRECTORY_DIR = fileURLToPath(new URL('../../../data/care-routing/', import.meta.url));

const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
const FILES = [
  'hospitals.csv',
  'urgent_care_facilities.csv',
  'primary_care_facilities_women.csv',
  'primary_care_facilities_children.csv',
];

/**
 * Each facility with an NPI, as a clinical record references it
 * (`Organization?identifier=http://hl7.org/fhir/sid/us-npi|<NPI>`), with its
 * region: the first three digits of its ZIP, Safe Harbor applied.
 */
export function readFacilityRegions(dir = DIRECTORY_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of FILES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const rows = parse(fs.readFileSync(file), {
      bom: true,
      columns: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as Record<string, string | undefined>[];
    for (const r of rows) {
      // The files drop ZIPs' leading zeros (`2134`, `21341234`).
      const raw = r.zip ?? '';
      const zip = (raw.length > 5 ? raw.padStart(9, '0') : raw.padStart(5, '0')).slice(0, 5);
      const region = safeZip3(zip);
      if (r.npi && /^\d{10}$/.test(r.npi) && region)
        out.set(`Organization?identifier=${NPI_SYSTEM}|${r.npi}`, region);
    }
  }
  return out;
}

/** Loads the regions (idempotent: a second load writes nothing new). */
export async function loadFacilityRegions(
  em: EntityManager,
  regions: ReadonlyMap<string, string>,
): Promise<number> {
  if (!regions.size) return 0;
  const rows = [...regions].map(([facility_ref, region]) => ({ facility_ref, region }));
  const inserted = await executeBound<{ n: number }>(
    em,
    `WITH ins AS (
       INSERT INTO facility_region (facility_ref, region)
       SELECT r.facility_ref, r.region FROM json_to_recordset(?::json) AS r(facility_ref text, region text)
       ON CONFLICT (facility_ref) DO UPDATE SET region = EXCLUDED.region
        WHERE facility_region.region <> EXCLUDED.region
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [JSON.stringify(rows)],
  );
  return inserted[0]?.n ?? 0;
}
