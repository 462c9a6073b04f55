import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMedications, rxnormName } from './build-rrf.js';
import { PHARMACY_DATA_DIR } from './demo.js';
import { cleanDrugName, ingredientName, parseDrugName } from './names.js';

const rows = readMedications(path.join(PHARMACY_DATA_DIR, 'medications.csv'));
const parsedOf = (code: string) => {
  const row = rows.find((r) => r.code === code);
  if (!row) throw new Error(`no row ${code}`);
  return parseDrugName(rxnormName(row));
};

describe('RxNorm drug names', () => {
  it.each([
    ['312617', ['prednisone'], ['5 MG'], 'Oral Tablet'],
    ['1870230', ['epinephrine'], ['1 MG/ML'], 'Auto-Injector'],
    ['895994', ['fluticasone'], ['0.044 MG/ACTUAT'], 'Metered Dose Inhaler'],
    ['2123111', ['albuterol'], ['0.09 MG/ACTUAT'], 'Metered Dose Inhaler'],
    [
      '1043400',
      ['acetaminophen', 'dextromethorphan', 'doxylamine'],
      ['21.7 MG/ML', '1 MG/ML', '0.417 MG/ML'],
      'Oral Solution',
    ],
    ['1599803', ['donepezil', 'memantine'], ['10 MG', '28 MG'], 'Extended Release Oral Capsule'],
    ['1049635', ['acetaminophen', 'oxycodone'], ['325 MG', '2.5 MG'], 'Oral Tablet'],
    ['1860154', ['oxycodone'], ['15 MG'], 'Extended Release Oral Tablet'],
    [
      '1534809',
      ['ethinyl estradiol', 'norelgestromin'],
      ['0.00146 MG/HR', '0.00625 MG/HR'],
      'Transdermal System',
    ],
    [
      '106892',
      ['insulin human isophane', 'regular insulin human'],
      ['70 UNT/ML', '30 UNT/ML'],
      'Injectable Suspension',
    ],
    ['834357', ['amiodarone'], ['50 MG/ML'], 'Prefilled Syringe'],
    ['1659263', ['heparin'], ['5000 UNT/ML'], 'Injection'],
    ['2001499', ['cyanocobalamin'], ['5 MG/ML'], 'Injectable Solution'],
    ['313002', ['sodium chloride'], ['9 MG/ML'], 'Injectable Solution'],
    ['310325', ['ferrous sulfate'], ['325 MG'], 'Oral Tablet'],
    ['849574', ['naproxen'], ['220 MG'], 'Oral Tablet'],
    ['834061', ['penicillin v'], ['250 MG'], 'Oral Tablet'],
    ['105078', ['penicillin g'], ['375 MG/ML'], 'Injectable Solution'],
    ['311989', ['nitrofurantoin'], ['5 MG/ML'], 'Oral Suspension'],
    ['311995', ['nitrofurantoin'], ['50 MG'], 'Oral Capsule'],
    ['241834', ['cyclosporine'], ['100 MG'], 'Oral Capsule'],
    ['897718', ['verapamil'], ['40 MG'], null],
    ['308971', ['carbamazepine'], [], null],
    ['235389', ['mestranol', 'norethynodrel'], [], null],
    ['856980', ['acetaminophen', 'hydrocodone'], [], null],
    ['198031', ['nicotine'], [], 'transdermal patch'],
    ['2119714', ['hyaluronidase-oysk', 'trastuzumab'], ['2000 UNT/ML', '120 MG/ML'], 'Injection'],
    ['1659149', ['piperacillin', 'tazobactam'], ['4000 MG', '500 MG'], 'Injection'],
    ['727711', ['anakinra'], ['149 MG/ML'], 'Prefilled Syringe'],
    ['2103182', ['vasopressin'], ['20 UNT/ML'], 'Injection'],
    ['310385', ['fluoxetine'], ['20 MG'], 'Oral Capsule'],
    ['807283', ['levonorgestrel'], ['52 MG'], 'Intrauterine System'],
    [
      '1367439',
      ['etonogestrel', 'ethinyl estradiol'],
      ['0.12 MG/DAY', '0.015 MG/DAY'],
      'Vaginal Ring',
    ],
    ['205532', ['dornase alfa'], ['1 MG/ML'], 'Inhalation Solution'],
  ])('%s: %j %j %s', (code, ingredients, strengths, doseForm) => {
    const p = parsedOf(code);
    expect(p.ingredients.map((i) => i.name)).toEqual(ingredients);
    expect(p.ingredients.map((i) => i.strength).filter(Boolean)).toEqual(strengths);
    expect(p.doseForm).toBe(doseForm);
    expect(p.pack).toBe(false);
  });

  it('packs name no ingredient', () => {
    for (const code of ['748856', '748962', '749882', '748879', '749762']) {
      expect(parsedOf(code)).toMatchObject({ pack: true, ingredients: [] });
    }
  });

  it('every one of the 189 rows reads as a pack or as ingredients with plausible names', () => {
    expect(rows).toHaveLength(189);
    const packs = rows.filter((r) => parseDrugName(rxnormName(r)).pack);
    expect(packs).toHaveLength(11);
    for (const r of rows) {
      const p = parseDrugName(rxnormName(r));
      if (p.pack) continue;
      expect(p.ingredients.length, r.comment).toBeGreaterThan(0);
      for (const i of p.ingredients) {
        expect(i.name, r.comment).toMatch(/^[a-z][a-z0-9 .,-]*[a-z0-9]$/);
        if (i.name === 'ferrous sulfate' || i.name === 'sodium chloride') continue;
        expect(i.name, r.comment).not.toMatch(/\b(mg|ml|hr|otc|hydrochloride|sodium|sulfate)\b/);
      }
    }
  });

  it('cuts editorial notes and fixes the one misspelling', () => {
    expect(cleanDrugName('Acetaminophen 325 MG Oral Tablet - OTC')).toBe(
      'Acetaminophen 325 MG Oral Tablet',
    );
    expect(cleanDrugName('Nitrofurantoin 5 MG/ML Oral Suspension-- note few examples')).toBe(
      'Nitrofurantoin 5 MG/ML Oral Suspension',
    );
    expect(cleanDrugName('Carbamazepine[Tegretol] -- note fairly high variability')).toBe(
      'Carbamazepine',
    );
    expect(cleanDrugName('3 ML Amiodarone hydrocholoride 50 MG/ML Prefilled Syringe')).toBe(
      '3 ML Amiodarone hydrochloride 50 MG/ML Prefilled Syringe',
    );
  });

  it('normalises salts and INN names to the RxNorm ingredient', () => {
    expect(ingredientName('Dextromethorphan Hydrobromide')).toBe('dextromethorphan');
    expect(ingredientName('Pethidine')).toBe('meperidine');
    expect(ingredientName('Levomethadyl Acetate')).toBe('levomethadyl');
    expect(ingredientName('Sodium Chloride')).toBe('sodium chloride');
  });
});
