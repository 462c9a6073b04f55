import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RrfSources } from './build-rrf.js';
import { importCatalogue, type CatalogueImport } from './import.js';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `data/pharmacy`: the copies the product ships with and the RRF release built from them. */
export const PHARMACY_DATA_DIR = path.join(ROOT, 'data', 'pharmacy');

/** The demo catalogue's files (see data/pharmacy/README.md). */
export const DEMO_CATALOGUE = {
  rrfDir: path.join(PHARMACY_DATA_DIR, 'rxnorm'),
  oncFile: path.join(PHARMACY_DATA_DIR, 'onc-high-priority-ddi.csv'),
  worldvistaFile: path.join(PHARMACY_DATA_DIR, 'worldvista-ddi-rxcui.tsv'),
  pricesFile: path.join(PHARMACY_DATA_DIR, 'medications.csv'),
} as const;

/**
 * What the RRF builder reads: `../shared/data` beside the project when it is
 * there (the originals), else the copies in data/ (identical, see the README).
 */
export function rrfSources(): RrfSources {
  const shared = path.join(ROOT, '..', 'shared', 'data');
  const drugs = fs.existsSync(path.join(shared, 'drugs'))
    ? path.join(shared, 'drugs')
    : PHARMACY_DATA_DIR;
  const synthea = fs.existsSync(path.join(shared, 'synthea'))
    ? path.join(shared, 'synthea')
    : path.join(ROOT, 'data', 'synthea');
  return {
    medications: path.join(drugs, 'medications.csv'),
    onc: path.join(drugs, 'onc-high-priority-ddi.csv'),
    worldvista: path.join(drugs, 'worldvista-ddi-rxcui.tsv'),
    allergies: path.join(synthea, 'AllergyIntolerance.000.ndjson'),
  };
}

/** Imports the demo catalogue (what a seed calls). */
export function importDemoCatalogue(em: EntityManager): Promise<CatalogueImport> {
  return importCatalogue(em, DEMO_CATALOGUE);
}
