import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRrf } from './build-rrf.js';
import { DEMO_CATALOGUE, PHARMACY_DATA_DIR, rrfSources } from './demo.js';
import { catalogueFromRelease } from './model.js';
import { readRxnormRelease } from './rrf.js';

describe('the demo RRF release', () => {
  it('is what the builder makes from the drug files, byte for byte', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrf-'));
    writeRrf(rrfSources(), dir);
    for (const f of ['RXNCONSO.RRF', 'RXNREL.RRF'])
      expect(fs.readFileSync(path.join(dir, f), 'utf8'), f).toBe(
        fs.readFileSync(path.join(DEMO_CATALOGUE.rrfDir, f), 'utf8'),
      );
    fs.rmSync(dir, { recursive: true });
  });

  it('reads copies identical to the shared originals (when those are beside the project)', () => {
    const src = rrfSources();
    for (const f of ['medications.csv', 'onc-high-priority-ddi.csv', 'worldvista-ddi-rxcui.tsv']) {
      const original = path.join(path.dirname(src.medications), f);
      expect(
        fs.readFileSync(path.join(PHARMACY_DATA_DIR, f)).equals(fs.readFileSync(original)),
        f,
      ).toBe(true);
    }
  });

  it('gives real RxCUIs only where our data attests them, `carefed:` ids otherwise', async () => {
    const rel = await readRxnormRelease(DEMO_CATALOGUE.rrfDir);
    for (const [cui, c] of rel.concepts) {
      if (['SCD', 'SBD', 'BPCK'].includes(c.tty)) expect(cui).toMatch(/^\d+$/);
      else if (/^\d+$/.test(cui))
        expect([
          '4493',
          '2626',
          '42355',
          '72625',
          '35636',
          '1455099',
          '61381',
          '32937',
          '1191',
          '10831',
        ]).toContain(cui);
      else expect(cui).toMatch(/^carefed:/);
    }
  });

  it('is a valid RRF: 18 fields in RXNCONSO and 16 in RXNREL, each line ending in |', () => {
    const lines = (f: string) =>
      fs.readFileSync(path.join(DEMO_CATALOGUE.rrfDir, f), 'utf8').trimEnd().split('\n');
    for (const l of lines('RXNCONSO.RRF')) expect(l.split('|')).toHaveLength(19);
    for (const l of lines('RXNREL.RRF')) expect(l.split('|')).toHaveLength(17);
  });
});

describe('reading RRF', () => {
  const write = (conso: string[], rel: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrf-'));
    fs.writeFileSync(path.join(dir, 'RXNCONSO.RRF'), conso.map((l) => `${l}\n`).join(''));
    fs.writeFileSync(path.join(dir, 'RXNREL.RRF'), rel.map((l) => `${l}\n`).join(''));
    return dir;
  };
  const atom = (
    cui: string,
    tty: string,
    str: string,
    suppress = 'N',
    sab = 'RXNORM',
    code = cui,
  ) => `${cui}|ENG||||||A${cui}${tty}||||${sab}|${tty}|${code}|${str}||${suppress}||`;
  const rel = (cui1: string, rela: string, cui2: string) =>
    `${cui1}||CUI|RO|${cui2}||CUI|${rela}|||RXNORM|RXNORM|||N||`;

  it('reads RXCUI2 as the subject: either direction of a relationship maps a drug to its ingredients', async () => {
    const conso = [
      atom('1', 'IN', 'simvastatin'),
      atom('1', 'IN', 'simvastatin', 'N', 'DRUGBANK', 'DB00641'),
      atom('2', 'SCDC', 'simvastatin 20 MG'),
      atom('3', 'SCD', 'simvastatin 20 MG Oral Tablet'),
      atom('4', 'SBD', 'simvastatin 20 MG Oral Tablet [Zocor]'),
      atom('5', 'DF', 'Oral Tablet'),
      atom('6', 'PIN', 'naproxen sodium'),
      atom('7', 'IN', 'naproxen'),
      atom('8', 'SCDC', 'naproxen sodium 220 MG'),
      atom('9', 'SCD', 'naproxen sodium 220 MG Oral Tablet'),
      atom('10', 'SCD', 'suppressed 1 MG Oral Tablet', 'O'),
    ];
    // Forward rows for the SCD (RXCUI2 has RELA to RXCUI1), inverse rows for the rest.
    const rels = [
      rel('2', 'consists_of', '3'),
      rel('1', 'has_ingredient', '2'),
      rel('5', 'has_dose_form', '3'),
      rel('4', 'has_tradename', '3'),
      rel('9', 'constitutes', '8'),
      rel('8', 'precise_ingredient_of', '6'),
      rel('6', 'has_form', '7'),
    ];
    const dir = write(conso, rels);
    const model = catalogueFromRelease(await readRxnormRelease(dir));
    expect(model.drugs.map((d) => [d.rxcui, d.tty, d.ingredientIds, d.doseForm])).toEqual([
      ['3', 'SCD', ['1'], 'Oral Tablet'],
      ['4', 'SBD', ['1'], 'Oral Tablet'],
      ['9', 'SCD', ['7'], 'Oral Tablet'],
    ]);
    expect(model.ingredients).toEqual([
      { id: '1', name: 'simvastatin', normName: 'simvastatin', drugbankIds: ['DB00641'] },
      { id: '7', name: 'naproxen', normName: 'naproxen', drugbankIds: [] },
    ]);
    expect(model.codes).toEqual([
      { rxcui: '1', tty: 'IN', ingredientId: '1' },
      { rxcui: '6', tty: 'PIN', ingredientId: '7' },
      { rxcui: '7', tty: 'IN', ingredientId: '7' },
    ]);
    fs.rmSync(dir, { recursive: true });
  });
});
