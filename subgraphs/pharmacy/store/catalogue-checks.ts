import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import {
  evaluateSafety,
  rxnormCodes,
  type AllergyEntry,
  type ClassFact,
  type InteractionFact,
  type MedicationEntry,
  type ResolvedCode,
  type SafetyResult,
} from '../domain/safety-checks.js';
import { drugsByRxcui } from './catalogue-reads.js';

export type {
  AlertKind,
  AllergyEntry,
  MedicationEntry,
  SafetyAlert,
  SafetyResult,
} from '../domain/safety-checks.js';

const json = (v: unknown) => JSON.stringify(v);

/** Every RxNorm code: known drug (with or without ingredients) or ingredient code, with its ingredients. */
async function resolveCodes(
  em: EntityManager,
  codes: string[],
): Promise<Map<string, ResolvedCode>> {
  const rows = await em.execute<{ rxcui: string; id: string | null; name: string | null }[]>(
    `WITH c AS (SELECT DISTINCT json_array_elements_text(?::json) AS rxcui)
     SELECT d.rxcui, i.id, i.name FROM pharmacy.drug d JOIN c USING (rxcui)
       LEFT JOIN pharmacy.drug_ingredient di ON di.rxcui = d.rxcui
       LEFT JOIN pharmacy.ingredient i ON i.id = di.ingredient_id
     UNION ALL
     SELECT k.rxcui, i.id, i.name FROM pharmacy.ingredient_code k JOIN c USING (rxcui)
       JOIN pharmacy.ingredient i ON i.id = k.ingredient_id`,
    [json(codes)],
  );
  const out = new Map<string, ResolvedCode>();
  for (const r of rows) {
    const e = out.get(r.rxcui) ?? { known: true, ingredients: [] };
    if (r.id && r.name && !e.ingredients.some((i) => i.id === r.id))
      e.ingredients.push({ id: r.id, name: r.name });
    out.set(r.rxcui, e);
  }
  return out;
}

/** Interactions between the new drug's ingredients and the others, and the classes of the set. */
async function readFacts(
  em: EntityManager,
  drugIngredients: string[],
  medIngredients: string[],
  allergyIngredients: string[],
): Promise<{ interactions: InteractionFact[]; classes: ClassFact[] }> {
  const rows = await em.execute<{ kind: 'interaction' | 'class'; row: Record<string, unknown> }[]>(
    `WITH n AS (SELECT json_array_elements_text(?::json) AS id),
          o AS (SELECT json_array_elements_text(?::json) AS id),
          s AS (SELECT json_array_elements_text(?::json) AS id)
     SELECT 'interaction' AS kind, json_build_object('a', x.ingredient_a, 'b', x.ingredient_b,
         'source', x.source, 'sourceRef', x.source_ref, 'severity', x.severity,
         'mechanism', x.mechanism, 'advice', x.advice) AS row
       FROM pharmacy.interaction x
       WHERE (x.ingredient_a IN (SELECT id FROM n) AND x.ingredient_b IN (SELECT id FROM o))
          OR (x.ingredient_b IN (SELECT id FROM n) AND x.ingredient_a IN (SELECT id FROM o))
     UNION ALL
     SELECT 'class', json_build_object('id', c.id, 'name', c.name, 'source', c.source,
         'memberSeverity', c.member_severity, 'crossReactiveWith', to_json(c.cross_reactive_with),
         'ingredientIds', json_agg(m.ingredient_id ORDER BY m.ingredient_id))
       FROM pharmacy.ingredient_class c JOIN pharmacy.ingredient_class_member m ON m.class_id = c.id
       WHERE m.ingredient_id IN (SELECT id FROM n UNION SELECT id FROM s)
       GROUP BY c.id`,
    [json(drugIngredients), json(medIngredients), json(allergyIngredients)],
  );
  return {
    interactions: rows
      .filter((r) => r.kind === 'interaction')
      .map((r) => r.row as unknown as InteractionFact),
    classes: rows.filter((r) => r.kind === 'class').map((r) => r.row as unknown as ClassFact),
  };
}

/**
 * Checks one prescription against the patient's active medications and
 * allergies in three statements whatever their number: the drug, every
 * RxNorm code of the lists resolved at once, then every interaction and
 * class among the ingredients at once; the matching is
 * domain/safety-checks.ts. An unknown drug is refused.
 */
export async function checkPrescription(
  em: EntityManager,
  input: { drugRxcui: string; medications: MedicationEntry[]; allergies: AllergyEntry[] },
): Promise<SafetyResult> {
  const drug = (await drugsByRxcui(em, [input.drugRxcui])).get(input.drugRxcui);
  if (!drug)
    throw badInput(`Unknown drug: ${input.drugRxcui} is not in the catalogue`, 'drugRxcui');
  const medCodes = input.medications.flatMap((m) => rxnormCodes(m.codes));
  const allergyCodes = input.allergies.flatMap((a) => rxnormCodes(a.codes));
  const codes = await resolveCodes(em, [...new Set([...medCodes, ...allergyCodes])]);
  const ingredientsOf = (list: string[]) => [
    ...new Set(list.flatMap((c) => (codes.get(c)?.ingredients ?? []).map((i) => i.id))),
  ];
  const facts = await readFacts(
    em,
    drug.ingredients.map((i) => i.id),
    ingredientsOf(medCodes),
    ingredientsOf(allergyCodes),
  );
  const alerts = evaluateSafety(drug, input, { codes, ...facts });
  return { drug, alerts };
}
