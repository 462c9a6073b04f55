import path from 'node:path';
import { ZIP_CENTROID_FILE } from './directory-files.js';
import { coordinates, text } from './normalise.js';
import type { CsvRecord } from './map-row.js';
import { readCsv } from './read-directory.js';

/** One `zip_centroid` row. */
export interface ZipCentroidInput {
  zip: string;
  lat: number;
  lon: number;
  /** Two-letter state code. */
  state: string;
  /** The place the ZIP is listed under first. */
  place: string;
}

/** The centroids, and how many rows were left out and why. */
export interface ZipCentroidRead {
  rows: number;
  centroids: ZipCentroidInput[];
  /** Places with no ZCTA5 (the file lists every place; only ZCTAs have a ZIP). */
  withoutZip: number;
  /** Further places of a ZIP already read (the file repeats a ZCTA's centroid per place). */
  repeatedZip: number;
  /** Rows with a ZIP but unusable coordinates or state. */
  invalid: number;
}

/**
 * Maps `zipcodes.csv` records (columns: an empty first one, USPS (state
 * name), ST, NAME, ZCTA5, LAT, LON): one centroid per 5-digit ZCTA5, the
 * first place it is listed under.
 */
export function mapZipCentroids(records: readonly CsvRecord[]): ZipCentroidRead {
  const out: ZipCentroidRead = {
    rows: records.length,
    centroids: [],
    withoutZip: 0,
    repeatedZip: 0,
    invalid: 0,
  };
  const seen = new Set<string>();
  for (const r of records) {
    const zip = r.ZCTA5?.trim();
    if (!zip || !/^[0-9]{5}$/.test(zip)) {
      out.withoutZip++;
      continue;
    }
    if (seen.has(zip)) {
      out.repeatedZip++;
      continue;
    }
    const at = coordinates(r.LAT, r.LON);
    const state = r.ST?.trim().toUpperCase();
    if (!at.ok || !state || !/^[A-Z]{2}$/.test(state)) {
      out.invalid++;
      continue;
    }
    seen.add(zip);
    out.centroids.push({ zip, lat: at.lat, lon: at.lon, state, place: text(r.NAME) ?? '' });
  }
  return out;
}

/** `zipcodes.csv` of a directory folder, read and mapped. */
export function readZipCentroids(dir: string): ZipCentroidRead {
  return mapZipCentroids(readCsv(path.join(dir, ZIP_CENTROID_FILE)).map((r) => r.record));
}
