import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type MikroORM } from '../../../platform/db/orm.js';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import { DEMO_CATALOGUE, importDemoCatalogue } from '../catalogue/demo.js';
import { importCatalogue } from '../catalogue/import.js';
import { RXNORM_SYSTEM } from '../domain/safety-checks.js';
import { entities } from '../entities/index.js';
import { checkPrescription, type MedicationEntry } from './catalogue-checks.js';
import { openPharmacyTestStore } from '../testing.js';

let store: SubgraphTestStore;
/** A second ORM on the same database that counts the statements it sends. */
let counted: MikroORM;
let statements = 0;
beforeAll(async () => {
  store = await openPharmacyTestStore('pharmacy_catalogue_checks');
  await importDemoCatalogue(store.orm.em.fork());
  counted = await createOrm({
    url: store.roleUrl,
    schema: 'pharmacy',
    entities,
    migrations: [],
    onStatement: () => void statements++,
  });
});
afterAll(async () => {
  await counted.close();
  await store.close();
});

const rx = (code: string) => ({ system: RXNORM_SYSTEM, code });
const med = (ref: string, code: string, source: MedicationEntry['source'] = 'prescription') => ({
  ref,
  source,
  codes: [rx(code)],
});
const check = (
  drugRxcui: string,
  medications: MedicationEntry[],
  allergies = [] as { ref: string; codes: { system: string | null; code: string }[] }[],
) => checkPrescription(store.orm.em.fork(), { drugRxcui, medications, allergies });

describe('safety checks at prescribing', () => {
  it('simvastatin with amiodarone: a HIGH blocking interaction citing ONC', async () => {
    const r = await check('312961', [med('rx-1', '834357')]);
    expect(r.drug.name).toBe('Simvastatin 20 MG Oral Tablet');
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({
      code: 'interaction:carefed:amiodarone+carefed:simvastatin',
      kind: 'INTERACTION',
      severity: 'HIGH',
      blocking: true,
      ingredients: [{ id: 'carefed:simvastatin', name: 'simvastatin' }],
      against: { ref: 'rx-1', source: 'prescription' },
      sources: [{ source: 'ONC', severity: 'HIGH', mechanism: null, advice: null }],
    });
    expect(r.alerts[0]!.sources[0]!.ref).toMatch(/^onc-high-priority-ddi\.csv:\d+$/);
    expect(r.alerts[0]!.message).toMatch(/simvastatin interacts with amiodarone/);
  });

  it('fluoxetine resolves by its WorldVistA RxCUI 4493: risperidone (an outside ingredient code) is a MODERATE precaution', async () => {
    const r = await check('310385', [med('out-1', '35636', 'outside')]);
    expect(r.drug.ingredients).toEqual([{ id: '4493', name: 'fluoxetine' }]);
    expect(r.alerts).toEqual([
      expect.objectContaining({
        code: 'interaction:35636+4493',
        severity: 'MODERATE',
        blocking: false,
        against: { ref: 'out-1', source: 'outside' },
        sources: [
          expect.objectContaining({
            source: 'WORLDVISTA',
            severity: 'MODERATE',
            mechanism: expect.stringMatching(/risperidone/) as unknown,
            advice: expect.stringMatching(/monitoring/) as unknown,
          }),
        ],
      }),
    ]);
  });

  it('an aspirin allergy coded RxNorm 1191 blocks Aspirin 81 MG Oral Tablet, and ibuprofen by class', async () => {
    const allergy = { ref: 'al-1', codes: [rx('1191')] };
    const aspirin = await check('243670', [], [allergy]);
    expect(aspirin.alerts).toEqual([
      expect.objectContaining({
        code: 'allergy:1191',
        kind: 'ALLERGY',
        severity: 'CONTRAINDICATED',
        blocking: true,
        against: { ref: 'al-1', source: 'allergy' },
      }),
    ]);
    const ibuprofen = await check('310965', [], [allergy]);
    expect(ibuprofen.alerts).toEqual([
      expect.objectContaining({ code: 'allergy-class:nsaids', severity: 'HIGH', blocking: true }),
    ]);
  });

  it('a penicillin allergy warns, without blocking, on a cephalosporin', async () => {
    const r = await check('309045', [], [{ ref: 'al-2', codes: [rx('308182')] }]);
    expect(r.alerts).toEqual([
      expect.objectContaining({
        code: 'allergy-class:penicillins~cephalosporins',
        severity: 'MODERATE',
        blocking: false,
      }),
    ]);
  });

  it('duplicate therapy: acetaminophen already in an active combination', async () => {
    const r = await check('313782', [med('rx-2', '1049635')]);
    expect(r.alerts).toEqual([
      expect.objectContaining({
        code: 'duplicate:carefed:acetaminophen',
        kind: 'DUPLICATE_THERAPY',
        severity: 'MODERATE',
        blocking: false,
        against: { ref: 'rx-2', source: 'prescription' },
      }),
    ]);
  });

  it('what the catalogue cannot resolve is reported UNCHECKED, never silent', async () => {
    const r = await check(
      '312961',
      [med('rx-pack', '748856'), med('rx-unknown', '99999999')],
      [{ ref: 'al-egg', codes: [{ system: 'http://snomed.info/sct', code: '102263004' }] }],
    );
    expect(r.alerts.map((a) => [a.code, a.kind, a.severity, a.blocking])).toEqual([
      ['unchecked:al-egg', 'UNCHECKED', 'INFO', false],
      ['unchecked:rx-pack', 'UNCHECKED', 'INFO', false],
      ['unchecked:rx-unknown', 'UNCHECKED', 'INFO', false],
    ]);
    expect(r.alerts[0]!.against).toEqual({ ref: 'al-egg', source: 'allergy' });
    const pack = await check('748856', []);
    expect(pack.alerts).toEqual([
      expect.objectContaining({ code: 'unchecked:drug:748856', against: null }),
    ]);
  });

  it('refuses an unknown drug', async () => {
    await expect(check('99999999', [])).rejects.toSatisfy(
      (e: GraphQLError) =>
        e.extensions.code === 'BAD_USER_INPUT' && e.extensions.field === 'drugRxcui',
    );
  });

  it('checks a 20-medication list and allergies in at most 3 statements, most severe first', async () => {
    const codes = [
      '834357',
      '197604',
      '855332',
      '314076',
      '197361',
      '310798',
      '860975',
      '966222',
      '979485',
      '309362',
      '198014',
      '310385',
      '312938',
      '864718',
      '1049221',
      '197319',
      '313988',
      '308182',
      '105585',
      '1049630',
    ];
    const medications = codes.map((c, i) => med(`rx-${i}`, c));
    const allergies = [
      { ref: 'al-1', codes: [rx('1191')] },
      { ref: 'al-2', codes: [{ system: 'http://snomed.info/sct', code: '111088007' }] },
    ];
    statements = 0;
    const r = await checkPrescription(counted.em.fork(), {
      drugRxcui: '312961',
      medications,
      allergies,
    });
    expect(statements).toBeLessThanOrEqual(3);
    expect(statements).toBeGreaterThan(0);
    expect(r.alerts.map((a) => a.code)).toContain(
      'interaction:carefed:amiodarone+carefed:simvastatin',
    );
    expect(r.alerts.map((a) => a.code)).toContain('unchecked:al-2');
    const ranks = r.alerts.map((a) =>
      ['CONTRAINDICATED', 'HIGH', 'MODERATE', 'MINOR', 'INFO'].indexOf(a.severity),
    );
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
  });

  it('where both sources cover a pair, each is cited and the stricter wins', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
    const onc = path.join(dir, 'onc.csv');
    fs.writeFileSync(
      onc,
      `${fs.readFileSync(DEMO_CATALOGUE.oncFile, 'utf8')}\r\nFluoxetine$DB00472$Risperidone$DB00734$\r\n`,
    );
    try {
      await importCatalogue(store.orm.em.fork(), { ...DEMO_CATALOGUE, oncFile: onc });
      const r = await check('310385', [med('out-1', '35636', 'outside')]);
      expect(r.alerts).toHaveLength(1);
      expect(r.alerts[0]).toMatchObject({ severity: 'HIGH', blocking: true });
      expect(r.alerts[0]!.sources.map((s) => [s.source, s.severity])).toEqual([
        ['ONC', 'HIGH'],
        ['WORLDVISTA', 'MODERATE'],
      ]);
    } finally {
      await importDemoCatalogue(store.orm.em.fork());
      fs.rmSync(dir, { recursive: true });
    }
  });
});
