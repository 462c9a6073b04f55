import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ALLERGY_CLASSES } from '../domain/allergy-classes.js';
import { readMedications } from './build-rrf.js';
import {
  parseOncFile,
  parseWorldvistaFile,
  resolveInteractions,
  type InteractionRow,
  type InteractionSide,
} from './interactions.js';
import { catalogueFromRelease, type CatalogueModel } from './model.js';
import { ingredientName, normName } from './names.js';
import { readRxnormRelease } from './rrf.js';
import { stageRows, syncCatalogue } from './write.js';

export interface CatalogueFiles {
  /** A directory holding RXNCONSO.RRF and RXNREL.RRF. */
  rrfDir: string;
  oncFile: string;
  worldvistaFile: string;
  /** medications.csv: CODE (RxCUI) and MODE (USD) give each drug's unit price. */
  pricesFile: string;
}

export interface SourceReport {
  source: 'ONC' | 'WORLDVISTA';
  /** Readable rows in the file (unreadable ones are in `notes`). */
  rows: number;
  /** Ingredient pairs stored (both directions of a pair are one). */
  pairs: number;
  /** Rows whose sides are not (both) in the catalogue. */
  unresolved: { ref: string; problem: string }[];
  /** Rows kept with a caveat, or unreadable. */
  notes: { ref: string; problem: string }[];
}

/** What an import did. */
export interface CatalogueImport {
  /** False when this release (same files) was already imported: nothing was written. */
  changed: boolean;
  /** SHA-256 of the files (and the class table). */
  digest: string;
  drugs: number;
  ingredients: number;
  /** IN, PIN and MIN codes that resolve to ingredients. */
  codes: number;
  interactions: SourceReport[];
  classes: { classes: number; members: number; notInCatalogue: string[] };
  prices: { priced: number; notes: { code: string; problem: string }[] };
  /** Rows inserted, updated or deleted. */
  written: number;
  /** Drugs none of whose ingredients appears in any interaction row (or with no known ingredient). */
  uncovered: { rxcui: string; name: string }[];
}

export const CATALOGUE_SOURCE = 'rxnorm+onc+worldvista';
/** Bumped when the import's reading of the same files changes. */
const IMPORT_VERSION = 'catalogue-import/1';

async function digestOf(files: CatalogueFiles): Promise<string> {
  const h = createHash('sha256');
  h.update(IMPORT_VERSION);
  h.update(JSON.stringify(ALLERGY_CLASSES));
  const paths = [
    path.join(files.rrfDir, 'RXNCONSO.RRF'),
    path.join(files.rrfDir, 'RXNREL.RRF'),
    files.oncFile,
    files.worldvistaFile,
    files.pricesFile,
  ];
  for (const p of paths) {
    h.update(`\u0000${path.basename(p)}\u0000`);
    for await (const chunk of fs.createReadStream(p)) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/** USD with at most two decimals → cents; anything finer is not rounded but reported. */
export function priceMinor(mode: string): bigint | null | 'sub-cent' {
  const m = /^(\d+)(?:\.(\d{1,}))?$/.exec(mode);
  if (!m) return null;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 2) return 'sub-cent';
  return BigInt(m[1]!) * 100n + BigInt(frac.padEnd(2, '0'));
}

function resolverFor(model: CatalogueModel): (side: InteractionSide) => string | null {
  const ids = new Set(model.ingredients.map((i) => i.id));
  const byDrugbank = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const i of model.ingredients) {
    for (const db of i.drugbankIds) byDrugbank.set(db, i.id);
    byName.set(i.normName, i.id);
  }
  const byCode = new Map(model.codes.map((c) => [c.rxcui, c.ingredientId]));
  return (side) => {
    if (side.rxcui && ids.has(side.rxcui)) return side.rxcui;
    if (side.rxcui && byCode.has(side.rxcui)) return byCode.get(side.rxcui)!;
    if (side.drugbankId && byDrugbank.has(side.drugbankId)) return byDrugbank.get(side.drugbankId)!;
    return byName.get(ingredientName(side.name)) ?? byName.get(normName(side.name)) ?? null;
  };
}

/**
 * Loads a catalogue release: the RxNorm RRF files, both interaction files
 * and the prices, plus the curated allergy classes. Idempotent: the files'
 * digest is compared with the last import's and, when equal, nothing is
 * written; otherwise every table is brought to the release's content in one
 * transaction, with batched statements (never one per row), writing only
 * rows that are new or differ. Drugs a new release no longer lists are kept
 * (prescriptions name them) with their ingredients.
 */
export async function importCatalogue(
  em: EntityManager,
  files: CatalogueFiles,
): Promise<CatalogueImport> {
  const digest = await digestOf(files);
  const done = await lastImport(em);
  if (done?.digest === digest) return { ...done.counts, changed: false, written: 0 };

  const model = catalogueFromRelease(await readRxnormRelease(files.rrfDir));
  const resolve = resolverFor(model);
  const sources = [parseOncFile(files.oncFile), parseWorldvistaFile(files.worldvistaFile)] as const;
  const interactions: InteractionRow[] = [];
  const reports: SourceReport[] = sources.map((parsed, i) => {
    const r = resolveInteractions(parsed.rows, resolve);
    interactions.push(...r.rows);
    return {
      source: i === 0 ? 'ONC' : 'WORLDVISTA',
      rows: parsed.rows.length,
      pairs: r.rows.length,
      unresolved: r.unresolved,
      notes: parsed.notes,
    };
  });

  const priceNotes: { code: string; problem: string }[] = [];
  const prices = new Map<string, bigint>();
  for (const m of readMedications(files.pricesFile)) {
    const p = priceMinor(m.mode);
    if (typeof p === 'bigint') prices.set(m.code, p);
    else
      priceNotes.push({
        code: m.code,
        problem:
          p === 'sub-cent'
            ? `MODE ${m.mode} is finer than a cent; no price`
            : `MODE "${m.mode}" is not a price`,
      });
  }

  const byName = new Map(model.ingredients.map((i) => [i.normName, i.id]));
  const members: { class_id: string; ingredient_id: string }[] = [];
  const notInCatalogue: string[] = [];
  for (const c of ALLERGY_CLASSES)
    for (const m of c.members) {
      const id = byName.get(m);
      if (id) members.push({ class_id: c.id, ingredient_id: id });
      else notInCatalogue.push(`${c.id}: ${m}`);
    }

  const covered = new Set(interactions.flatMap((x) => [x.a, x.b]));
  const uncovered = model.drugs
    .filter((d) => !d.ingredientIds.some((i) => covered.has(i)))
    .map((d) => ({ rxcui: d.rxcui, name: d.name }));

  const report: CatalogueImport = {
    changed: true,
    digest,
    drugs: model.drugs.length,
    ingredients: model.ingredients.length,
    codes: model.codes.length,
    interactions: reports,
    classes: { classes: ALLERGY_CLASSES.length, members: members.length, notInCatalogue },
    prices: { priced: model.drugs.filter((d) => prices.has(d.rxcui)).length, notes: priceNotes },
    written: 0,
    uncovered,
  };

  const written = await em.transactional(async (tem) => {
    // One importer at a time; one that waited finds the release already in.
    await tem.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [CATALOGUE_SOURCE]);
    if ((await lastImport(tem))?.digest === digest) return null;
    await stageRows(tem, {
      ingredient: model.ingredients.map((i) => ({
        id: i.id,
        name: i.name,
        norm_name: i.normName,
        drugbank_id: i.drugbankIds[0] ?? null,
      })),
      drug: model.drugs.map((d) => ({
        rxcui: d.rxcui,
        name: d.name,
        tty: d.tty,
        dose_form: d.doseForm,
        strength: d.strength,
        unit_price_minor: prices.get(d.rxcui)?.toString() ?? null,
        currency: 'USD',
      })),
      drug_ingredient: model.drugs.flatMap((d) =>
        d.ingredientIds.map((i) => ({ rxcui: d.rxcui, ingredient_id: i })),
      ),
      ingredient_code: model.codes.map((c) => ({
        rxcui: c.rxcui,
        tty: c.tty,
        ingredient_id: c.ingredientId,
      })),
      interaction: interactions.map((x) => ({
        ingredient_a: x.a,
        ingredient_b: x.b,
        source: x.source,
        source_ref: x.sourceRef,
        severity: x.severity,
        mechanism: x.mechanism,
        advice: x.advice,
      })),
      ingredient_class: ALLERGY_CLASSES.map((c) => ({
        id: c.id,
        name: c.name,
        source: c.source,
        member_severity: c.memberSeverity,
        cross_reactive_with: c.crossReactiveWith,
      })),
      ingredient_class_member: members,
    });
    const n = await syncCatalogue(tem);
    await tem.execute(
      `INSERT INTO pharmacy.catalogue_release (source, digest, counts) VALUES (?, ?, ?::jsonb)`,
      [CATALOGUE_SOURCE, digest, JSON.stringify({ ...report, changed: undefined, written: n })],
    );
    return n;
  });
  return written === null ? { ...report, changed: false, written: 0 } : { ...report, written };
}

async function lastImport(
  em: EntityManager,
): Promise<{ digest: string; counts: Omit<CatalogueImport, 'changed'> } | undefined> {
  const rows = await em.execute<{ digest: string; counts: Omit<CatalogueImport, 'changed'> }[]>(
    `SELECT digest, counts FROM pharmacy.catalogue_release WHERE source = ? ORDER BY id DESC LIMIT 1`,
    [CATALOGUE_SOURCE],
  );
  return rows[0];
}
