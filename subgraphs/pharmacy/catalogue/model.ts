import { normName, parseDrugName } from './names.js';
import { DRUG_TTYS, type RxnormRelease } from './rrf.js';

export interface CatalogueIngredient {
  /** The RxCUI of the IN concept (or a `carefed:` id of our demo release, see data/pharmacy). */
  id: string;
  name: string;
  normName: string;
  drugbankIds: string[];
}

export interface CatalogueDrug {
  rxcui: string;
  name: string;
  tty: string;
  doseForm: string | null;
  strength: string | null;
  ingredientIds: string[];
}

/** The catalogue a release describes: ingredients, drugs, and every code that names ingredients. */
export interface CatalogueModel {
  ingredients: CatalogueIngredient[];
  drugs: CatalogueDrug[];
  /** IN, PIN and MIN codes → the ingredients they stand for (an IN stands for itself). */
  codes: { rxcui: string; tty: 'IN' | 'PIN' | 'MIN'; ingredientId: string }[];
  /** Ingredients left out because another IN already has their normalised name. */
  duplicateNames: string[];
}

/** Relationships walked from a drug (or component) towards its ingredients. */
const TOWARDS_INGREDIENTS = [
  'consists_of',
  'has_ingredient',
  'has_precise_ingredient',
  'tradename_of',
  'contains',
];

/**
 * Maps each clinical drug (SCD, SBD, packs) to its ingredients (IN): through
 * its components (SCD consists_of SCDC has_ingredient IN, or
 * has_precise_ingredient PIN form_of IN), a branded drug through its generic
 * (SBD tradename_of SCD), a pack through the drugs it contains, a MIN
 * through its parts.
 */
export function catalogueFromRelease(rel: RxnormRelease): CatalogueModel {
  const tty = (cui: string) => rel.concepts.get(cui)?.tty;
  const targets = (cui: string, rela: string) => [...(rel.edges.get(cui)?.get(rela) ?? [])];
  const memo = new Map<string, Set<string>>();
  const ingredientsOf = (cui: string, seen: Set<string>): Set<string> => {
    const cached = memo.get(cui);
    if (cached) return cached;
    const out = new Set<string>();
    if (seen.has(cui)) return out;
    seen.add(cui);
    const t = tty(cui);
    if (t === 'IN') out.add(cui);
    else if (t === 'PIN') targets(cui, 'form_of').forEach((x) => tty(x) === 'IN' && out.add(x));
    else if (t === 'MIN')
      for (const x of targets(cui, 'has_part')) ingredientsOf(x, seen).forEach((i) => out.add(i));
    else if (t) {
      for (const rela of TOWARDS_INGREDIENTS)
        for (const x of targets(cui, rela)) ingredientsOf(x, seen).forEach((i) => out.add(i));
    }
    memo.set(cui, out);
    return out;
  };

  const ingredients: CatalogueIngredient[] = [];
  const byNorm = new Set<string>();
  const duplicateNames: string[] = [];
  const kept = new Set<string>();
  const sortedCuis = [...rel.concepts.keys()].sort();
  for (const cui of sortedCuis) {
    const c = rel.concepts.get(cui)!;
    if (c.tty !== 'IN') continue;
    const n = normName(c.name);
    if (byNorm.has(n)) {
      duplicateNames.push(`${cui} ${c.name}`);
      continue;
    }
    byNorm.add(n);
    kept.add(cui);
    ingredients.push({
      id: cui,
      name: c.name,
      normName: n,
      drugbankIds: [...(rel.drugbank.get(cui) ?? [])].sort(),
    });
  }
  const drugs: CatalogueDrug[] = [];
  const codes: CatalogueModel['codes'] = [];
  for (const cui of sortedCuis) {
    const c = rel.concepts.get(cui)!;
    if (c.tty === 'IN' || c.tty === 'PIN' || c.tty === 'MIN') {
      for (const id of [...ingredientsOf(cui, new Set())].sort())
        if (kept.has(id)) codes.push({ rxcui: cui, tty: c.tty, ingredientId: id });
      continue;
    }
    if (!DRUG_TTYS.has(c.tty)) continue;
    const parsed = parseDrugName(c.name);
    const forms = targets(cui, 'has_dose_form')
      .map((x) => rel.concepts.get(x)?.name)
      .filter((x): x is string => !!x);
    const strengths = parsed.ingredients.map((i) => i.strength).filter((s): s is string => !!s);
    drugs.push({
      rxcui: cui,
      name: c.name,
      tty: c.tty,
      doseForm: forms.sort()[0] ?? parsed.doseForm,
      strength: strengths.length > 0 ? strengths.join(' / ') : null,
      ingredientIds: [...ingredientsOf(cui, new Set())].filter((i) => kept.has(i)).sort(),
    });
  }
  return { ingredients, drugs, codes, duplicateNames };
}
