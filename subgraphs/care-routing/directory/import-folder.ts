import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  importDirectory,
  importZipCentroids,
  type ImportCounts,
} from '../store/directory-import.js';
import { ZIP_CENTROID_FILE } from './directory-files.js';
import type { SkipReason, SkippedRow } from './facility-input.js';
import { readDirectory } from './read-directory.js';
import { readZipCentroids, type ZipCentroidRead } from './zip-centroids.js';

/** What importing a folder did, per file and in all. */
export interface FolderImport {
  files: {
    file: string;
    rows: number;
    facilities: number;
    skipped: Partial<Record<SkipReason, number>>;
  }[];
  /** Every row left out, with its file, line and reason. */
  skipped: SkippedRow[];
  /** Facilities imported in UTC: their state has no known zone. */
  unknownTimeZone: string[];
  directory: ImportCounts;
  /** Absent when the folder has no zipcodes.csv. */
  centroids?: ImportCounts & Omit<ZipCentroidRead, 'centroids'>;
}

/**
 * Imports a folder of directory CSVs (the shapes of data/care-routing): its
 * ZIP centroids when it has `zipcodes.csv`, then every facility file present
 * (only the facilities in `states` when given), idempotently.
 */
export async function importDirectoryFolder(
  em: EntityManager,
  dir: string,
  opts: { states?: ReadonlySet<string> } = {},
): Promise<FolderImport> {
  let centroids: FolderImport['centroids'];
  let lookup: Map<string, { lat: number; lon: number }> | undefined;
  if (fs.existsSync(path.join(dir, ZIP_CENTROID_FILE))) {
    const { centroids: rows, ...read } = readZipCentroids(dir);
    centroids = { ...(await importZipCentroids(em, rows)), ...read };
    lookup = new Map(rows.map((c) => [c.zip, c]));
  }
  const reads = readDirectory(dir, lookup);
  const states = opts.states;
  const facilities = reads
    .flatMap((r) => r.facilities)
    .filter((f) => !states || (f.state !== null && states.has(f.state)));
  const directory = await importDirectory(em, facilities);
  return {
    files: reads.map((r) => {
      const skipped: Partial<Record<SkipReason, number>> = {};
      for (const s of r.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
      return { file: r.file, rows: r.rows, facilities: r.facilities.length, skipped };
    }),
    skipped: reads.flatMap((r) => r.skipped),
    unknownTimeZone: reads.flatMap((r) => r.unknownTimeZone),
    directory,
    ...(centroids ? { centroids } : {}),
  };
}
