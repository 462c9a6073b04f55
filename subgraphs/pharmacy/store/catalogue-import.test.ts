import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import { DEMO_CATALOGUE, importDemoCatalogue } from '../catalogue/demo.js';
import { importCatalogue } from '../catalogue/import.js';
import { drugsByRxcui, searchDrugs } from './catalogue-reads.js';
import { openPharmacyTestStore } from '../testing.js';

let store: SubgraphTestStore;
beforeAll(async () => {
  store = await openPharmacyTestStore('pharmacy_catalogue_import');
});
afterAll(async () => store.close());

const count = async (sql: string) =>
  Number((await store.orm.em.fork().execute<{ n: string }[]>(sql))[0]!.n);

/** Every catalogue row, as one text: equal before and after means nothing changed. */
const snapshot = async () =>
  (
    await store.orm.em.fork().execute<{ s: string }[]>(
      `SELECT md5(string_agg(t, '|' ORDER BY t)) AS s FROM (
         SELECT 'd' || row(d.*)::text AS t FROM pharmacy.drug d
         UNION ALL SELECT 'i' || row(i.*)::text FROM pharmacy.ingredient i
         UNION ALL SELECT 'di' || row(x.*)::text FROM pharmacy.drug_ingredient x
         UNION ALL SELECT 'ic' || row(x.*)::text FROM pharmacy.ingredient_code x
         UNION ALL SELECT 'x' || row(x.*)::text FROM pharmacy.interaction x
         UNION ALL SELECT 'c' || row(x.*)::text FROM pharmacy.ingredient_class x
         UNION ALL SELECT 'm' || row(x.*)::text FROM pharmacy.ingredient_class_member x) all_rows`,
    )
  )[0]!.s;

const fileLines = (file: string, pattern: RegExp) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => pattern.test(l)).length;

describe('catalogue import', () => {
  it('loads the built release and both interaction files: counts equal the files', async () => {
    const r = await importDemoCatalogue(store.orm.em.fork());
    expect(r.changed).toBe(true);
    const conso = path.join(DEMO_CATALOGUE.rrfDir, 'RXNCONSO.RRF');
    expect(r.drugs).toBe(fileLines(conso, /\|RXNORM\|(SCD|SBD|BPCK|GPCK)\|/));
    expect(r.drugs).toBe(189);
    expect(await count('SELECT count(*) AS n FROM pharmacy.drug')).toBe(189);
    expect(r.ingredients).toBe(fileLines(conso, /\|RXNORM\|IN\|/));
    expect(await count('SELECT count(*) AS n FROM pharmacy.ingredient')).toBe(r.ingredients);
    const [onc, wv] = r.interactions;
    expect(onc).toMatchObject({ source: 'ONC', rows: 1930, pairs: 1150, unresolved: [] });
    expect(wv).toMatchObject({ source: 'WORLDVISTA', rows: 14, pairs: 7, unresolved: [] });
    expect(await count(`SELECT count(*) AS n FROM pharmacy.interaction WHERE source = 'ONC'`)).toBe(
      1150,
    );
    expect(
      await count(`SELECT count(*) AS n FROM pharmacy.interaction WHERE source = 'WORLDVISTA'`),
    ).toBe(7);
    // Every priced row of medications.csv but those finer than a cent.
    expect(r.prices.priced + r.prices.notes.length).toBe(189);
    expect(
      await count('SELECT count(*) AS n FROM pharmacy.drug WHERE unit_price_minor IS NOT NULL'),
    ).toBe(r.prices.priced);
    // The packs name no ingredient: uncovered; simvastatin (ONC) is covered.
    expect(r.uncovered.map((u) => u.rxcui)).toContain('748856');
    expect(r.uncovered.map((u) => u.rxcui)).not.toContain('312961');
    expect(await count('SELECT count(*) AS n FROM pharmacy.catalogue_release')).toBe(1);
  });

  it('maps each drug to its ingredients, priced in cents, with its coverage', async () => {
    const drugs = await drugsByRxcui(store.orm.em.fork(), [
      '312961',
      '1049635',
      '748856',
      '310385',
    ]);
    expect(drugs.get('312961')).toMatchObject({
      name: 'Simvastatin 20 MG Oral Tablet',
      tty: 'SCD',
      doseForm: 'Oral Tablet',
      strength: '20 MG',
      unitPriceMinor: 1000n,
      currency: 'USD',
      ingredients: [{ id: 'carefed:simvastatin', name: 'simvastatin' }],
      interactionCoverage: true,
    });
    expect(drugs.get('1049635')?.ingredients.map((i) => i.name)).toEqual([
      'acetaminophen',
      'oxycodone',
    ]);
    expect(drugs.get('748856')).toMatchObject({
      tty: 'BPCK',
      ingredients: [],
      interactionCoverage: false,
    });
    expect(drugs.get('310385')?.ingredients).toEqual([{ id: '4493', name: 'fluoxetine' }]);
  });

  it('searches by name, case-insensitively, a page at a time', async () => {
    const em = store.orm.em.fork();
    const first = await searchDrugs(em, { text: 'ACETAMINOPHEN', first: 3 });
    expect(first.rows).toHaveLength(3);
    expect(first.hasNext).toBe(true);
    const all = await searchDrugs(em, { text: 'acetaminophen', first: 100 });
    expect(all.rows.length).toBeGreaterThan(3);
    const { drugCursor } = await import('./catalogue-reads.js');
    const next = await searchDrugs(em, {
      text: 'acetaminophen',
      first: 100,
      after: drugCursor(first.rows[2]!),
    });
    expect([...first.rows, ...next.rows].map((d) => d.rxcui)).toEqual(all.rows.map((d) => d.rxcui));
    expect(all.rows.map((d) => d.name)).toEqual([...all.rows.map((d) => d.name)].sort());
  });

  it('a second import of the same files changes nothing', async () => {
    const before = await snapshot();
    const r = await importDemoCatalogue(store.orm.em.fork());
    expect(r).toMatchObject({ changed: false, written: 0, drugs: 189 });
    expect(await snapshot()).toBe(before);
    expect(await count('SELECT count(*) AS n FROM pharmacy.catalogue_release')).toBe(1);
  });

  it('a changed price is a new release that updates just that row', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
    const prices = path.join(dir, 'medications.csv');
    fs.writeFileSync(
      prices,
      fs
        .readFileSync(DEMO_CATALOGUE.pricesFile, 'utf8')
        .replace('312961,2,10,55,', '312961,2,12.34,55,'),
    );
    const r = await importCatalogue(store.orm.em.fork(), { ...DEMO_CATALOGUE, pricesFile: prices });
    expect(r).toMatchObject({ changed: true, written: 1 });
    expect(
      (await drugsByRxcui(store.orm.em.fork(), ['312961'])).get('312961')?.unitPriceMinor,
    ).toBe(1234n);
    const back = await importDemoCatalogue(store.orm.em.fork());
    expect(back).toMatchObject({ changed: true, written: 1 });
    fs.rmSync(dir, { recursive: true });
  });
});
