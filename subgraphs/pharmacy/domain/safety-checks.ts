import {
  RXNORM_SYSTEM,
  type AlertKind,
  type AllergyEntry,
  type Coding,
  type DrugRow,
  type IngredientRef,
  type MedicationEntry,
  type SafetyAlert,
  type SafetyFacts,
} from './safety-types.js';
import { isBlocking, severityRank, stricter, type Severity } from './severity.js';

export * from './safety-types.js';

/** The RxNorm codes of an entry (other systems cannot be resolved by this catalogue). */
export const rxnormCodes = (codes: readonly Coding[]): string[] =>
  codes.filter((c) => c.system === RXNORM_SYSTEM).map((c) => c.code.trim());

/** An entry's ingredients; null when none of its codes resolves to any. */
function ingredientsOf(codes: readonly Coding[], facts: SafetyFacts): IngredientRef[] | null {
  const out = new Map<string, IngredientRef>();
  for (const code of rxnormCodes(codes))
    for (const i of facts.codes.get(code)?.ingredients ?? []) out.set(i.id, i);
  return out.size > 0 ? [...out.values()] : null;
}

const KIND_ORDER: Record<AlertKind, number> = {
  ALLERGY: 0,
  INTERACTION: 1,
  DUPLICATE_THERAPY: 2,
  UNCHECKED: 3,
};

function unchecked(
  ref: string,
  source: 'prescription' | 'outside' | 'allergy',
  what: string,
): SafetyAlert {
  return {
    code: `unchecked:${ref}`,
    kind: 'UNCHECKED',
    severity: 'INFO',
    blocking: false,
    ingredients: [],
    against: { ref, source },
    sources: [],
    message: `${what} ${ref} could not be checked: its codes name no ingredient in the drug catalogue`,
  };
}

const pairKey = (x: string, y: string) => (x < y ? `${x}+${y}` : `${y}+${x}`);

function interactionAlerts(
  drug: DrugRow,
  med: MedicationEntry,
  other: IngredientRef[],
  facts: SafetyFacts,
): SafetyAlert[] {
  const alerts: SafetyAlert[] = [];
  for (const n of drug.ingredients)
    for (const o of other) {
      if (n.id === o.id) continue;
      const rows = facts.interactions.filter((x) => pairKey(x.a, x.b) === pairKey(n.id, o.id));
      if (rows.length === 0) continue;
      rows.sort(
        (p, q) =>
          severityRank(p.severity) - severityRank(q.severity) || p.source.localeCompare(q.source),
      );
      const severity = rows.map((r) => r.severity).reduce((p, q) => stricter(p, q));
      alerts.push({
        code: `interaction:${pairKey(n.id, o.id)}`,
        kind: 'INTERACTION',
        severity,
        blocking: isBlocking(severity),
        ingredients: [n],
        against: { ref: med.ref, source: med.source },
        sources: rows.map((r) => ({
          source: r.source,
          ref: r.sourceRef,
          severity: r.severity,
          mechanism: r.mechanism,
          advice: r.advice,
        })),
        message: `${drug.name}: ${n.name} interacts with ${o.name} (${severity}; ${rows.map((r) => r.source).join(', ')})`,
      });
    }
  return alerts;
}

function allergyAlerts(
  drug: DrugRow,
  allergy: AllergyEntry,
  allergens: IngredientRef[],
  facts: SafetyFacts,
): SafetyAlert[] {
  const alerts = new Map<string, SafetyAlert>();
  const against = { ref: allergy.ref, source: 'allergy' as const };
  const classesOf = (id: string) => facts.classes.filter((c) => c.ingredientIds.includes(id));
  for (const n of drug.ingredients)
    for (const a of allergens) {
      if (n.id === a.id) {
        alerts.set(`allergy:${n.id}`, {
          code: `allergy:${n.id}`,
          kind: 'ALLERGY',
          severity: 'CONTRAINDICATED',
          blocking: true,
          ingredients: [n],
          against,
          sources: [],
          message: `${drug.name} contains ${n.name}, a recorded allergen`,
        });
        continue;
      }
      for (const cn of classesOf(n.id))
        for (const ca of classesOf(a.id)) {
          const same = cn.id === ca.id;
          if (
            !same &&
            !cn.crossReactiveWith.includes(ca.id) &&
            !ca.crossReactiveWith.includes(cn.id)
          )
            continue;
          const severity: Severity = same ? cn.memberSeverity : 'MODERATE';
          const code = same ? `allergy-class:${cn.id}` : `allergy-class:${ca.id}~${cn.id}`;
          const prev = alerts.get(code);
          if (prev && severityRank(prev.severity) <= severityRank(severity)) {
            if (!prev.ingredients.some((i) => i.id === n.id)) prev.ingredients.push(n);
            continue;
          }
          alerts.set(code, {
            code,
            kind: 'ALLERGY',
            severity,
            blocking: isBlocking(severity),
            ingredients: [n],
            against,
            sources: [
              {
                source: cn.source,
                ref: same ? cn.id : `${ca.id}~${cn.id}`,
                severity,
                mechanism: null,
                advice: null,
              },
            ],
            message: same
              ? `${drug.name}: ${n.name} is in the same class as recorded allergen ${a.name} (${cn.name})`
              : `${drug.name}: ${n.name} (${cn.name}) may cross-react with recorded allergen ${a.name} (${ca.name})`,
          });
        }
    }
  // An allergy to the ingredient itself says it all for that ingredient.
  const direct = new Set(
    [...alerts.values()]
      .filter((x) => x.code.startsWith('allergy:'))
      .flatMap((x) => x.ingredients.map((i) => i.id)),
  );
  return [...alerts.values()].filter(
    (x) => x.code.startsWith('allergy:') || x.ingredients.some((i) => !direct.has(i.id)),
  );
}

function duplicateAlerts(
  drug: DrugRow,
  med: MedicationEntry,
  other: IngredientRef[],
): SafetyAlert[] {
  const shared = drug.ingredients.filter((n) => other.some((o) => o.id === n.id));
  return shared.map((n) => ({
    code: `duplicate:${n.id}`,
    kind: 'DUPLICATE_THERAPY',
    severity: 'MODERATE',
    blocking: false,
    ingredients: [n],
    against: { ref: med.ref, source: med.source },
    sources: [],
    message: `${drug.name}: ${n.name} is already in an active medication`,
  }));
}

/**
 * The safety check of one prescription against a patient's active
 * medications and allergies, on facts read in one pass (store/catalogue-checks.ts):
 * interactions by ingredient (every source cited, the stricter severity
 * winning), allergies by ingredient and by class, duplicate therapy, and an
 * UNCHECKED notice for every entry (or a drug) the catalogue cannot resolve
 * to ingredients, so nothing unchecked is silent. Most severe first.
 */
export function evaluateSafety(
  drug: DrugRow,
  input: { medications: readonly MedicationEntry[]; allergies: readonly AllergyEntry[] },
  facts: SafetyFacts,
): SafetyAlert[] {
  const alerts: SafetyAlert[] = [];
  if (drug.ingredients.length === 0)
    alerts.push({
      ...unchecked(drug.rxcui, 'prescription', 'Drug'),
      code: `unchecked:drug:${drug.rxcui}`,
      against: null,
      message: `${drug.name} has no known ingredients: interactions, allergies and duplicate therapy were not checked`,
    });
  for (const med of input.medications) {
    const other = ingredientsOf(med.codes, facts);
    if (!other) {
      alerts.push(unchecked(med.ref, med.source, 'Medication'));
      continue;
    }
    alerts.push(
      ...interactionAlerts(drug, med, other, facts),
      ...duplicateAlerts(drug, med, other),
    );
  }
  for (const allergy of input.allergies) {
    const allergens = ingredientsOf(allergy.codes, facts);
    if (!allergens) alerts.push(unchecked(allergy.ref, 'allergy', 'Allergy'));
    else alerts.push(...allergyAlerts(drug, allergy, allergens, facts));
  }
  return alerts.sort(
    (p, q) =>
      severityRank(p.severity) - severityRank(q.severity) ||
      KIND_ORDER[p.kind] - KIND_ORDER[q.kind] ||
      p.code.localeCompare(q.code) ||
      (p.against?.ref ?? '').localeCompare(q.against?.ref ?? ''),
  );
}
