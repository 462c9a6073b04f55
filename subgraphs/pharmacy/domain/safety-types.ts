import type { Severity } from './severity.js';

/** The safety check's inputs, facts and alerts (the matching is safety-checks.ts). */
export const RXNORM_SYSTEM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export interface Coding {
  system: string | null;
  code: string;
}

export interface IngredientRef {
  id: string;
  name: string;
}

export interface DrugRow {
  rxcui: string;
  name: string;
  tty: string;
  doseForm: string | null;
  strength: string | null;
  unitPriceMinor: bigint | null;
  currency: string;
  ingredients: IngredientRef[];
  interactionCoverage: boolean;
}

export interface MedicationEntry {
  ref: string;
  source: 'prescription' | 'outside';
  codes: Coding[];
}

export interface AllergyEntry {
  ref: string;
  codes: Coding[];
}

export type AlertKind = 'INTERACTION' | 'ALLERGY' | 'DUPLICATE_THERAPY' | 'UNCHECKED';

export interface AlertSource {
  source: string;
  ref: string;
  severity: string;
  mechanism: string | null;
  advice: string | null;
}

export interface SafetyAlert {
  /** Stable, no PHI: `interaction:<a>+<b>`, `allergy:<ingredient>`, `allergy-class:<class>`, `duplicate:<ingredient>`, `unchecked:<ref>`. */
  code: string;
  kind: AlertKind;
  severity: Severity | 'INFO';
  blocking: boolean;
  /** Of the drug being prescribed, the ingredients that triggered it. */
  ingredients: IngredientRef[];
  against: { ref: string; source: 'prescription' | 'outside' | 'allergy' } | null;
  /** Every source row, the stricter first. */
  sources: AlertSource[];
  /** Plain, names drugs and ingredients, never patient data. */
  message: string;
}

export interface SafetyResult {
  drug: DrugRow;
  /** Most severe first. */
  alerts: SafetyAlert[];
}

/** An RxNorm code as the catalogue knows it: a drug (maybe without ingredients) or an ingredient code. */
export interface ResolvedCode {
  known: boolean;
  ingredients: IngredientRef[];
}

export interface InteractionFact {
  a: string;
  b: string;
  source: string;
  sourceRef: string;
  severity: Severity;
  mechanism: string | null;
  advice: string | null;
}

export interface ClassFact {
  id: string;
  name: string;
  source: string;
  memberSeverity: Severity;
  crossReactiveWith: string[];
  /** Members among the ingredients the check asked about. */
  ingredientIds: string[];
}

/** What the store read for one check: every code resolved, every interaction and class among the set. */
export interface SafetyFacts {
  /** By RxNorm code. */
  codes: Map<string, ResolvedCode>;
  interactions: InteractionFact[];
  classes: ClassFact[];
}
