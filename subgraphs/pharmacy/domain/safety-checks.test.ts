import { describe, expect, it } from 'vitest';
import { ALLERGY_CLASSES } from './allergy-classes.js';
import {
  evaluateSafety,
  RXNORM_SYSTEM,
  type ClassFact,
  type DrugRow,
  type InteractionFact,
  type SafetyFacts,
} from './safety-checks.js';

const ing = (id: string) => ({ id, name: id });
const drug = (rxcui: string, ...ingredients: string[]): DrugRow => ({
  rxcui,
  name: `Drug ${rxcui}`,
  tty: 'SCD',
  doseForm: 'Oral Tablet',
  strength: null,
  unitPriceMinor: null,
  currency: 'USD',
  ingredients: ingredients.map(ing),
  interactionCoverage: true,
});
const rx = (code: string) => [{ system: RXNORM_SYSTEM, code }];
const classFact = (id: string, ingredientIds: string[]): ClassFact => {
  const c = ALLERGY_CLASSES.find((x) => x.id === id)!;
  return {
    id,
    name: c.name,
    source: c.source,
    memberSeverity: c.memberSeverity,
    crossReactiveWith: c.crossReactiveWith,
    ingredientIds,
  };
};
const facts = (
  codes: Record<string, string[]>,
  interactions: InteractionFact[] = [],
  classes: ClassFact[] = [],
): SafetyFacts => ({
  codes: new Map(
    Object.entries(codes).map(([c, ids]) => [c, { known: true, ingredients: ids.map(ing) }]),
  ),
  interactions,
  classes,
});
const row = (source: string, severity: InteractionFact['severity']): InteractionFact => ({
  a: 'a',
  b: 'b',
  source,
  sourceRef: `${source}-1`,
  severity,
  mechanism: `${source} mechanism`,
  advice: null,
});

describe('evaluateSafety', () => {
  it('the stricter source sets the severity; every source is cited, stricter first', () => {
    const alerts = evaluateSafety(
      drug('1', 'a'),
      { medications: [{ ref: 'm', source: 'outside', codes: rx('2') }], allergies: [] },
      facts({ '2': ['b'] }, [row('WORLDVISTA', 'MINOR'), row('ONC', 'HIGH')]),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ code: 'interaction:a+b', severity: 'HIGH', blocking: true });
    expect(alerts[0]!.sources.map((s) => s.source)).toEqual(['ONC', 'WORLDVISTA']);
    const lenient = evaluateSafety(
      drug('1', 'a'),
      { medications: [{ ref: 'm', source: 'outside', codes: rx('2') }], allergies: [] },
      facts({ '2': ['b'] }, [row('WORLDVISTA', 'MODERATE')]),
    );
    expect(lenient[0]).toMatchObject({ severity: 'MODERATE', blocking: false });
  });

  it('allergy: the ingredient itself blocks; a true class blocks; a cross-reactive class warns', () => {
    const pen = classFact('penicillins', ['amoxicillin', 'ampicillin']);
    const ceph = classFact('cephalosporins', ['cefaclor']);
    const run = (prescribed: string, allergen: string) =>
      evaluateSafety(
        drug('1', prescribed),
        { medications: [], allergies: [{ ref: 'al', codes: rx('9') }] },
        facts({ '9': [allergen] }, [], [pen, ceph]),
      ).map((a) => [a.code, a.severity, a.blocking]);
    expect(run('amoxicillin', 'amoxicillin')).toEqual([
      ['allergy:amoxicillin', 'CONTRAINDICATED', true],
    ]);
    expect(run('ampicillin', 'amoxicillin')).toEqual([['allergy-class:penicillins', 'HIGH', true]]);
    expect(run('cefaclor', 'amoxicillin')).toEqual([
      ['allergy-class:penicillins~cephalosporins', 'MODERATE', false],
    ]);
    expect(run('unrelated', 'amoxicillin')).toEqual([]);
  });

  it('a lesser class (opioids) warns without blocking', () => {
    const alerts = evaluateSafety(
      drug('1', 'morphine'),
      { medications: [], allergies: [{ ref: 'al', codes: rx('9') }] },
      facts({ '9': ['oxycodone'] }, [], [classFact('opioids', ['morphine', 'oxycodone'])]),
    );
    expect(alerts.map((a) => [a.code, a.severity, a.blocking])).toEqual([
      ['allergy-class:opioids', 'MODERATE', false],
    ]);
  });

  it('duplicate therapy, and UNCHECKED for what does not resolve; most severe first', () => {
    const alerts = evaluateSafety(
      drug('1', 'a'),
      {
        medications: [
          { ref: 'dup', source: 'prescription', codes: rx('3') },
          {
            ref: 'snomed',
            source: 'outside',
            codes: [{ system: 'http://snomed.info/sct', code: '1' }],
          },
          { ref: 'b', source: 'outside', codes: rx('2') },
        ],
        allergies: [],
      },
      facts({ '2': ['b'], '3': ['a'] }, [row('ONC', 'HIGH')]),
    );
    expect(alerts.map((a) => [a.code, a.kind, a.severity])).toEqual([
      ['interaction:a+b', 'INTERACTION', 'HIGH'],
      ['duplicate:a', 'DUPLICATE_THERAPY', 'MODERATE'],
      ['unchecked:snomed', 'UNCHECKED', 'INFO'],
    ]);
  });
});
