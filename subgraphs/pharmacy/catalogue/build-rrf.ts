import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseOncFile, parseWorldvistaFile } from './interactions.js';
import { cleanDrugName, ingredientName, normName, parseDrugName } from './names.js';

/**
 * Builds a small, valid RxNorm release (RXNCONSO.RRF, RXNREL.RRF) from our
 * own data, so the importer that production feeds the full monthly release
 * runs on the demo and in tests:
 *
 * - drugs: the 188 rows of medications.csv (CODE is the SCD/SBD/pack RxCUI;
 *   COMMENTS starts with the RxNorm name, editorial notes cut off), each with
 *   its components (SCDC), ingredients (IN) and dose form (DF) read from the
 *   name (catalogue/names.ts). Packs (`Yaz 28 Day Pack`) name no ingredient
 *   and get none. Seven rows name a brand instead of the RxNorm name
 *   (`Mirena 52 MG Intrauterine System`); BRANDED gives their RxNorm-style
 *   SBD name, written from the product labelling.
 * - ingredients: a real RxCUI only where our data attests it (the ingredient
 *   RxCUIs of worldvista-ddi-rxcui.tsv; Synthea's AllergyIntolerance codes,
 *   e.g. aspirin 1191 and the MIN sulfamethoxazole / trimethoprim 10831).
 *   Every other concept we make up (ingredients without an attested RxCUI,
 *   components, dose forms, atom and relationship ids) gets an id in the
 *   `carefed:` namespace, never a number that could pass for an RxCUI.
 * - an IN atom for every ingredient either interaction file names (so their
 *   pairs resolve even for drugs we do not stock), and a DRUGBANK atom for
 *   each ingredient whose name matches the ONC file (which gives DrugBank ids
 *   by name).
 *
 * Deterministic: the same inputs give byte-identical files.
 */
export interface RrfSources {
  medications: string;
  onc: string;
  worldvista: string;
  /** Synthea AllergyIntolerance NDJSON: its RxNorm codings attest ingredient RxCUIs. */
  allergies: string;
}

/**
 * medications.csv rows whose COMMENTS give a brand, not the RxNorm name:
 * the RxNorm-style SBD name (generic, strength and form from the product
 * labelling; the brand in brackets).
 */
const BRANDED: Record<string, string> = {
  '807283': 'levonorgestrel 52 MG Intrauterine System [Mirena]',
  '1605257': 'levonorgestrel 52 MG Intrauterine System [Liletta]',
  '1856546': 'levonorgestrel 19.5 MG Intrauterine System [Kyleena]',
  '1243052': 'ivacaftor 150 MG Oral Tablet [Kalydeco]',
  '1946840': 'abemaciclib 100 MG Oral Tablet [Verzenio]',
  '1367439': 'etonogestrel 0.12 MG/DAY / ethinyl estradiol 0.015 MG/DAY Vaginal Ring [NuvaRing]',
  '205532': 'dornase alfa 1 MG/ML Inhalation Solution [Pulmozyme]',
};

const RXNORM_SYSTEM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

/** A `carefed:` id: lower case, words joined by `-`. */
export const localId = (kind: string, name: string): string =>
  `carefed:${kind ? `${kind}:` : ''}${normName(name)
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '')}`;

export interface MedicationRow {
  code: string;
  mode: string;
  comment: string;
}

export function readMedications(file: string): MedicationRow[] {
  const rows = parse<Record<string, string>>(fs.readFileSync(file), {
    bom: true,
    columns: true,
    skip_empty_lines: true,
  });
  return rows.map((r) => ({
    code: r.CODE!.trim(),
    mode: (r.MODE ?? '').trim(),
    comment: r.COMMENTS ?? '',
  }));
}

/** The RxNorm name of a medications.csv row (BRANDED, or COMMENTS cleaned). */
export const rxnormName = (row: MedicationRow): string =>
  BRANDED[row.code] ?? cleanDrugName(row.comment);

/** RxNorm codes of Synthea allergy records: `{ code, display }`, as attested. */
function attestedAllergyCodes(file: string): { code: string; display: string }[] {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const res = JSON.parse(line) as {
      code?: { coding?: { system?: string; code?: string; display?: string }[] };
    };
    for (const c of res.code?.coding ?? [])
      if (c.system === RXNORM_SYSTEM && c.code && c.display) out.set(c.code, c.display);
  }
  return [...out]
    .map(([code, display]) => ({ code, display }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

interface Concept {
  tty: string;
  name: string;
}

/** The two files' text, and what went into them. */
export interface BuiltRrf {
  rxnconso: string;
  rxnrel: string;
  drugs: number;
  ingredients: number;
  /** Drugs whose name gives no ingredient (packs). */
  withoutIngredients: string[];
}

export function buildRrf(src: RrfSources): BuiltRrf {
  const onc = parseOncFile(src.onc);
  const wv = parseWorldvistaFile(src.worldvista);
  const attested = new Map<string, string>();
  for (const r of wv.rows)
    for (const side of [r.a, r.b])
      if (side.rxcui) attested.set(ingredientName(side.name), side.rxcui);
  const mins: { code: string; name: string; parts: string[] }[] = [];
  for (const { code, display } of attestedAllergyCodes(src.allergies)) {
    const parts = display.split(/\s+\/\s+/).map(ingredientName);
    if (parts.length > 1) mins.push({ code, name: normName(display), parts });
    else attested.set(parts[0]!, code);
  }
  const concepts = new Map<string, Concept>();
  const rels: [string, string, string][] = []; // [subject, rela, object]
  const inIds = new Map<string, string>();
  const ingredientId = (name: string): string => {
    let id = inIds.get(name);
    if (!id) {
      id = attested.get(name) ?? localId('', name);
      if (concepts.has(id)) throw new Error(`Two ingredients map to ${id}`);
      inIds.set(name, id);
      concepts.set(id, { tty: 'IN', name });
    }
    return id;
  };
  const withoutIngredients: string[] = [];
  const meds = readMedications(src.medications);
  for (const row of meds) {
    const name = rxnormName(row);
    const parsed = parseDrugName(name);
    const tty = parsed.pack ? 'BPCK' : parsed.brand ? 'SBD' : 'SCD';
    concepts.set(row.code, { tty, name });
    if (parsed.ingredients.length === 0) withoutIngredients.push(row.code);
    for (const ing of parsed.ingredients) {
      const scdcName = ing.strength ? `${ing.name} ${ing.strength}` : ing.name;
      const scdc = localId('scdc', scdcName);
      concepts.set(scdc, { tty: 'SCDC', name: scdcName });
      rels.push([row.code, 'consists_of', scdc], [scdc, 'has_ingredient', ingredientId(ing.name)]);
    }
    if (parsed.doseForm && !parsed.pack) {
      const df = localId('df', parsed.doseForm);
      concepts.set(df, { tty: 'DF', name: parsed.doseForm });
      rels.push([row.code, 'has_dose_form', df]);
    }
  }
  for (const r of [...onc.rows, ...wv.rows])
    for (const side of [r.a, r.b]) ingredientId(ingredientName(side.name));
  for (const m of mins) {
    concepts.set(m.code, { tty: 'MIN', name: m.name });
    for (const p of m.parts) rels.push([m.code, 'has_part', ingredientId(p)]);
  }
  const drugbank = new Map<string, Set<string>>();
  for (const r of onc.rows)
    for (const side of [r.a, r.b]) {
      const id = inIds.get(ingredientName(side.name));
      if (id && side.drugbankId)
        drugbank.set(id, (drugbank.get(id) ?? new Set()).add(side.drugbankId));
    }
  return {
    rxnconso: conso(concepts, drugbank),
    rxnrel: relations(rels),
    drugs: meds.length,
    ingredients: inIds.size,
    withoutIngredients,
  };
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function conso(concepts: Map<string, Concept>, drugbank: Map<string, Set<string>>): string {
  const lines: string[] = [];
  let aui = 0;
  const atom = (cui: string, sab: string, tty: string, code: string, str: string) =>
    lines.push(
      [
        cui,
        'ENG',
        '',
        '',
        '',
        '',
        '',
        `carefed:aui:${++aui}`,
        '',
        sab === 'DRUGBANK' ? code : '',
        '',
        sab,
        tty,
        code,
        str,
        '',
        'N',
        '',
        '',
      ].join('|'),
    );
  for (const cui of [...concepts.keys()].sort(byId)) {
    const c = concepts.get(cui)!;
    atom(cui, 'RXNORM', c.tty, cui, c.name);
    for (const db of [...(drugbank.get(cui) ?? [])].sort()) atom(cui, 'DRUGBANK', 'IN', db, c.name);
  }
  return `${lines.join('\n')}\n`;
}

const INVERSE_OF: Record<string, string> = {
  consists_of: 'constitutes',
  has_ingredient: 'ingredient_of',
  has_dose_form: 'dose_form_of',
  has_part: 'part_of',
};

/** Each relationship in both directions; RXCUI2 is the subject (see rrf.ts). */
function relations(rels: [string, string, string][]): string {
  const unique = new Map<string, [string, string, string]>();
  for (const r of rels) unique.set(r.join('\u0000'), r);
  const rows = [...unique.values()].flatMap(([s, rela, o]) => [
    [o, rela, s],
    [s, INVERSE_OF[rela]!, o],
  ]);
  rows.sort((x, y) => byId(x.join('|'), y.join('|')));
  const lines = rows.map(([cui1, rela, cui2], i) =>
    [
      cui1,
      '',
      'CUI',
      'RO',
      cui2,
      '',
      'CUI',
      rela,
      `carefed:rui:${i + 1}`,
      '',
      'RXNORM',
      'RXNORM',
      '',
      '',
      'N',
      '',
      '',
    ].join('|'),
  );
  return `${lines.join('\n')}\n`;
}

/** Writes the two files into `outDir`. */
export function writeRrf(src: RrfSources, outDir: string): BuiltRrf {
  const built = buildRrf(src);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'RXNCONSO.RRF'), built.rxnconso);
  fs.writeFileSync(path.join(outDir, 'RXNREL.RRF'), built.rxnrel);
  return built;
}
