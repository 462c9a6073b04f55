import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DIRECTORY_FILES, ZIP_CENTROID_FILE, type DirectoryFile } from './directory-files.js';
import type { DirectoryFileRead, FacilityInput, SkippedRow } from './facility-input.js';
import { mapDirectoryRow, type CsvRecord } from './map-row.js';
import { haversineKm } from '../domain/haversine.js';

/** A CSV file's records with the line each starts on. */
export function readCsv(file: string): { record: CsvRecord; line: number }[] {
  const parsed = parse<{ record: CsvRecord; info: { lines: number } }>(fs.readFileSync(file), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    info: true,
  });
  return parsed.map((p) => ({ record: p.record, line: p.info.lines }));
}

/**
 * How far a facility may lie from its own ZIP's centroid. The provider files
 * carry geocoding errors (a Kansas hospital 1,500 km off, VA clinics of Maine
 * placed in California): a facility shown where it is not would be routed to,
 * so such rows are left out and reported. 150 km leaves room for the largest
 * rural ZCTAs.
 */
export const MAX_KM_FROM_ZIP = 150;

/** ZIP → centroid, to check a row's coordinates against its ZIP. */
export type CentroidLookup = ReadonlyMap<string, { lat: number; lon: number }>;

/**
 * Maps one file's records: each valid row once per key (the first; later
 * valid rows with the same key are reported as `duplicate-key`), every other
 * row reported with its reason. With `centroids`, a row more than
 * {@link MAX_KM_FROM_ZIP} from its ZIP's centroid is reported, not imported
 * (a ZIP without a centroid is not checked), and does not take its key.
 */
export function mapDirectoryRecords(
  spec: DirectoryFile,
  records: readonly { record: CsvRecord; line: number }[],
  centroids?: CentroidLookup,
): DirectoryFileRead {
  const facilities: FacilityInput[] = [];
  const skipped: SkippedRow[] = [];
  const unknownTimeZone: string[] = [];
  const seen = new Set<string>();
  const skip = (line: number, reason: SkippedRow['reason'], key?: string) =>
    skipped.push({ file: spec.file, line, reason, ...(key ? { key } : {}) });
  for (const { record, line } of records) {
    const mapped = mapDirectoryRow(spec, record);
    if (!mapped.ok) {
      skip(line, mapped.reason, mapped.key);
      continue;
    }
    const f = mapped.facility;
    const centroid = f.zip ? centroids?.get(f.zip) : undefined;
    if (centroid && haversineKm(f, centroid) > MAX_KM_FROM_ZIP) {
      skip(line, 'coordinates-far-from-zip', f.sourceKey);
      continue;
    }
    if (seen.has(f.sourceKey)) {
      skip(line, 'duplicate-key', f.sourceKey);
      continue;
    }
    seen.add(f.sourceKey);
    facilities.push(f);
    if (!mapped.knownTimeZone) unknownTimeZone.push(f.id);
  }
  return { file: spec.file, rows: records.length, facilities, skipped, unknownTimeZone };
}

/**
 * Every directory file present in `dir` (a folder of Synthea's provider
 * CSVs), read and mapped; coordinates are checked against the folder's
 * `zipcodes.csv` when it has one (pass `centroids` to use others).
 */
export function readDirectory(dir: string, centroids?: CentroidLookup): DirectoryFileRead[] {
  const lookup = centroids ?? folderCentroids(dir);
  return DIRECTORY_FILES.filter((spec) => fs.existsSync(path.join(dir, spec.file))).map((spec) =>
    mapDirectoryRecords(spec, readCsv(path.join(dir, spec.file)), lookup),
  );
}

function folderCentroids(dir: string): CentroidLookup | undefined {
  const file = path.join(dir, ZIP_CENTROID_FILE);
  if (!fs.existsSync(file)) return undefined;
  const out = new Map<string, { lat: number; lon: number }>();
  for (const { record } of readCsv(file)) {
    const zip = record.ZCTA5?.trim();
    if (zip && !out.has(zip)) out.set(zip, { lat: Number(record.LAT), lon: Number(record.LON) });
  }
  return out;
}
