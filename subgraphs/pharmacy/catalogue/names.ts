/**
 * RxNorm clinical drug names, read apart. An SCD name is
 * `<ingredient> <strength> <unit> [/ <ingredient> <strength> <unit>…] <dose form>`,
 * optionally after a quantity (`3 ML`, `24 HR`, `120 ACTUAT`) or an NDA
 * prefix (`NDA020800`); an SBD adds ` [Brand]`; packs end in `Pack`.
 */

/** One active ingredient of a drug name, as written and normalised. */
export interface NamedIngredient {
  /** As written in the drug name (`oxyCODONE Hydrochloride`). */
  written: string;
  /** The ingredient (IN) it normalises to (`oxycodone`). */
  name: string;
  /** `15 MG`, `5 MG/ML`; null when the name gives none. */
  strength: string | null;
}

export interface ParsedDrugName {
  ingredients: NamedIngredient[];
  doseForm: string | null;
  /** ` [Brand]` of an SBD name. */
  brand: string | null;
  /** A pack (`Yaz 28 Day Pack`): its name names no ingredient. */
  pack: boolean;
}

const UNIT = String.raw`(?:MG|MCG|UNT|MEQ|ML|%)(?:\/(?:ML|ACTUAT|HR|DAY|MG))?`;
const COMPONENT = new RegExp(String.raw`^(.*?)\s+(\d+(?:\.\d+)?)\s+(${UNIT})(?:\s+(.*))?$`, 'i');
const PREFIXES = [/^NDA\d+\s+/i, /^Abuse-Deterrent\s+/i, /^\d+(?:\.\d+)?\s*(?:HR|ML|ACTUAT)\s+/i];
/** Dose forms recognised at the end of a name that gives no strength. */
const BARE_DOSE_FORMS = ['transdermal patch'];

/**
 * Salt and form words dropped to reach the ingredient (RxNorm's IN), as
 * RxNorm's PIN → IN does: `naproxen sodium` → `naproxen`.
 */
const SALT_WORDS = new Set([
  'acetate',
  'besylate',
  'bitartrate',
  'bromide',
  'disodium',
  'hydrobromide',
  'hydrochloride',
  'macrocrystals',
  'maleate',
  'monohydrate',
  'phosphate',
  'potassium',
  'propionate',
  'sodium',
  'succinate',
  'sulfate',
]);
/** Names whose "salt" word is the substance itself. */
const NOT_SALTS = new Set(['sodium chloride', 'ferrous sulfate']);
/**
 * Names as our files write them → the RxNorm ingredient name: spelling
 * variants in medications.csv, and the INN names DrugBank (hence the ONC
 * file) uses where RxNorm uses the USAN one.
 */
const SYNONYMS: Record<string, string> = {
  'vitamin b 12': 'cyanocobalamin',
  'cyclosporin modified': 'cyclosporine',
  'heparin sodium porcine': 'heparin',
  'alendronic acid': 'alendronate',
  pethidine: 'meperidine',
  rifampicin: 'rifampin',
  methylergometrine: 'methylergonovine',
};

/** Lower case, single spaces: the key ingredients are matched by. */
export function normName(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The RxNorm ingredient (IN) name a written ingredient normalises to. */
export function ingredientName(written: string): string {
  let n = normName(written);
  const synonym = SYNONYMS[n];
  if (synonym) return synonym;
  if (NOT_SALTS.has(n)) return n;
  for (;;) {
    const words = n.split(' ');
    const last = words[words.length - 1];
    if (words.length < 2 || !last || !SALT_WORDS.has(last)) break;
    n = words.slice(0, -1).join(' ');
  }
  return SYNONYMS[n] ?? n;
}

/**
 * The RxNorm name at the start of medications.csv's COMMENTS: editorial
 * notes after ` -- ` (or `--`), ` - ` or in brackets are cut off, spacing
 * is normalised and one misspelling in the file (`hydrocholoride`) is fixed.
 */
export function cleanDrugName(comment: string): string {
  return comment
    .split(/\s*--|\s+-\s+/)[0]!
    .replace(/\[[^\]]*\]|\([^)]*\)/g, ' ')
    .replace(/hydrocholoride/gi, 'hydrochloride')
    .replace(/Metered Dose Inhale$/, 'Metered Dose Inhaler')
    .replace(/\s+/g, ' ')
    .trim();
}

function stripPrefixes(name: string): string {
  let s = name;
  for (let changed = true; changed;) {
    changed = false;
    for (const p of PREFIXES) {
      if (p.test(s)) {
        s = s.replace(p, '');
        changed = true;
      }
    }
  }
  return s;
}

const ingredient = (written: string, strength: string | null): NamedIngredient => ({
  written: written.trim(),
  name: ingredientName(written),
  strength,
});

/** Ingredients named without strengths: `Mestranol / Norethynodrel`, `a/b`, `nicotine transdermal patch`. */
function parseBare(body: string): ParsedDrugName {
  let rest = body;
  let doseForm: string | null = null;
  for (const df of BARE_DOSE_FORMS) {
    if (rest.toLowerCase().endsWith(` ${df}`)) {
      doseForm = rest.slice(rest.length - df.length);
      rest = rest.slice(0, rest.length - df.length - 1);
    }
  }
  const parts = rest.split(/\s*\/\s*/).filter((p) => p.length > 0);
  return { ingredients: parts.map((p) => ingredient(p, null)), doseForm, brand: null, pack: false };
}

/** Reads a (cleaned) RxNorm drug name into ingredients, strengths and dose form. */
export function parseDrugName(name: string): ParsedDrugName {
  const brandMatch = /\s*\[([^\]]+)\]$/.exec(name);
  const brand = brandMatch?.[1] ?? null;
  const body = stripPrefixes(brandMatch ? name.slice(0, brandMatch.index) : name).trim();
  if (/\bPack$/i.test(body)) return { ingredients: [], doseForm: 'Pack', brand, pack: true };
  if (!/\d/.test(body)) return { ...parseBare(body), brand };
  const parts = body.split(/\s+\/\s+/);
  const ingredients: NamedIngredient[] = [];
  let doseForm: string | null = null;
  for (const [i, part] of parts.entries()) {
    const m = COMPONENT.exec(part);
    if (!m) {
      ingredients.push(ingredient(part, null));
      continue;
    }
    ingredients.push(ingredient(m[1]!, `${m[2]} ${m[3]!.toUpperCase()}`));
    if (i === parts.length - 1) doseForm = m[4]?.trim() || null;
  }
  return { ingredients, doseForm, brand, pack: false };
}
