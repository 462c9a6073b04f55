import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKAnonymity } from './k-anonymity-check.js';
import {
  describeGeneralisation,
  kAnonymise,
  type GeneralisationLevels,
  type QiRecord,
} from './k-anonymity.js';

interface Row extends QiRecord {
  id: number;
  diagnosis: string;
}

const QI_COLUMNS = ['ageBand', 'sex', 'zip3', 'period'];
const BANDS = [...Array.from({ length: 18 }, (_, i) => `${i * 5}-${i * 5 + 4}`), '90+'];

/** An age label as the range of ages it covers. */
function ages(label: string): [number, number] {
  if (label === '*') return [0, Infinity];
  if (label.endsWith('+')) return [Number(label.slice(0, -1)), Infinity];
  const [lo, hi] = label.split('-').map(Number) as [number, number];
  return [lo, hi];
}

/** A period label as the range of years it covers. */
function years(label: string): [number, number] {
  if (label === '*') return [-Infinity, Infinity];
  const [lo, hi = lo] = label.split('-').map(Number) as [number, number?];
  return [lo, hi];
}

const within = ([lo, hi]: [number, number], [outerLo, outerHi]: [number, number]) =>
  outerLo <= lo && hi <= outerHi;

const rowArb = (zips: string[], yearsFrom: number, yearsTo: number, bands = BANDS) =>
  fc.record({
    ageBand: fc.constantFrom(...bands),
    sex: fc.constantFrom('female', 'male', 'other', 'unknown'),
    zip3: fc.constantFrom(...zips),
    year: fc.integer({ min: yearsFrom, max: yearsTo }),
    diagnosis: fc.constantFrom('J45', 'E11', 'I10'),
  });

const withIds = (rows: Omit<Row, 'id'>[]): Row[] => rows.map((r, id) => ({ ...r, id }));

/** The quasi-identifiers of a record at a node, written afresh from the lattice's definition. */
function generalise(r: QiRecord, l: GeneralisationLevels): string {
  const lo = Number(r.ageBand.split(/[-+]/)[0]);
  const age = [
    r.ageBand,
    lo >= 90 ? '90+' : `${lo - (lo % 10)}-${lo - (lo % 10) + 9}`,
    lo >= 80 ? '80+' : `${lo - (lo % 20)}-${lo - (lo % 20) + 19}`,
    '*',
  ][l.age];
  const zip = [r.zip3, `${r.zip3.slice(0, 2)}X`, '*'][l.zip];
  const year = [String(r.year), `${r.year - (r.year % 5)}`, '*'][l.year];
  return [age, zip, year, [r.sex, '*'][l.sex]].join('|');
}

/** Every node with the records it would drop, by exhaustive search. */
function everyNode(records: readonly QiRecord[], k: number) {
  const nodes: { levels: GeneralisationLevels; loss: number; suppressed: number }[] = [];
  for (let age = 0; age <= 3; age++)
    for (let zip = 0; zip <= 2; zip++)
      for (let year = 0; year <= 2; year++)
        for (let sex = 0; sex <= 1; sex++) {
          const levels = { age, zip, year, sex };
          const sizes = new Map<string, number>();
          for (const r of records) {
            const key = generalise(r, levels);
            sizes.set(key, (sizes.get(key) ?? 0) + 1);
          }
          let suppressed = 0;
          for (const n of sizes.values()) if (n < k) suppressed += n;
          nodes.push({ levels, loss: age / 3 + zip / 2 + year / 2 + sex, suppressed });
        }
  return nodes;
}

describe('k-anonymity', () => {
  it('releases k-anonymous records, each a generalisation of its own, nothing else changed, within the suppression budget', () => {
    const used = new Set<string>();
    fc.assert(
      fc.property(
        // Narrow or wide domains, so that every level of every hierarchy gets chosen.
        fc
          .tuple(
            fc.subarray(['661', '662', '668', '100', '101', '990'], { minLength: 1 }),
            fc.integer({ min: 2015, max: 2024 }),
            fc.integer({ min: 0, max: 9 }),
            fc.integer({ min: 0, max: 18 }),
            fc.integer({ min: 1, max: 19 }),
          )
          .chain(([zips, from, span, age, ageSpan]) =>
            fc.array(rowArb(zips, from, from + span, BANDS.slice(age, age + ageSpan)), {
              maxLength: 400,
            }),
          ),
        fc.integer({ min: 2, max: 15 }),
        fc.constantFrom(0, 0.01, 0.05, 0.2),
        (raw, k, maxSuppression) => {
          const input = withIds(raw);
          const out = kAnonymise(input, { k, maxSuppression });
          const rows = out.records.map((r) => ({ ...r, id: String(r.id) }));
          for (const [q, level] of Object.entries(out.levels)) used.add(`${q}${level}`);
          const verdict = checkKAnonymity(rows, QI_COLUMNS, k);
          expect(verdict.ok).toBe(true);
          expect(out.suppressed + out.records.length).toBe(input.length);
          if (input.length < k) expect(out.records).toEqual([]);
          else
            expect(out.suppressed).toBeLessThanOrEqual(Math.floor(maxSuppression * input.length));
          expect(out.classes).toBe(
            new Set(rows.map((r) => QI_COLUMNS.map((c) => r[c as 'sex']).join('|'))).size,
          );
          expect(out.smallestClass).toBe(verdict.smallestClass);
          let last = -1;
          for (const r of out.records) {
            // Order kept, each output from its own input.
            expect(r.id).toBeGreaterThan(last);
            last = r.id;
            const from = input[r.id]!;
            expect(within(ages(from.ageBand), ages(r.ageBand))).toBe(true);
            expect([from.sex, '*']).toContain(r.sex);
            expect([from.zip3, `${from.zip3.slice(0, 2)}X`, '*']).toContain(r.zip3);
            expect(within([from.year, from.year], years(r.period))).toBe(true);
            expect(r.diagnosis).toBe(from.diagnosis);
            expect(Object.keys(r).sort()).toEqual(
              ['ageBand', 'diagnosis', 'id', 'period', 'sex', 'zip3'].sort(),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    // The property saw every level of every hierarchy chosen.
    expect([...used].sort()).toEqual([
      'age0',
      'age1',
      'age2',
      'age3',
      'sex0',
      'sex1',
      'year0',
      'year1',
      'year2',
      'zip0',
      'zip1',
      'zip2',
    ]);
  });

  it('chooses the least generalisation within the budget, then the fewest dropped (exhaustive search agrees)', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(
            fc.subarray(['661', '662', '100'], { minLength: 1 }),
            fc.integer({ min: 0, max: 16 }),
          )
          .chain(([zips, age]) =>
            fc.array(rowArb(zips, 2019, 2022, BANDS.slice(age, age + 3)), { maxLength: 200 }),
          ),
        fc.integer({ min: 2, max: 11 }),
        fc.constantFrom(0, 0.05, 0.2),
        (records, k, maxSuppression) => {
          const out = kAnonymise(records, { k, maxSuppression });
          const budget = Math.floor(maxSuppression * records.length);
          const fits = everyNode(records, k).filter((n) => n.suppressed <= budget);
          if (fits.length === 0) {
            expect(out.records).toEqual([]);
            return;
          }
          const loss = Math.min(...fits.map((n) => n.loss));
          const best = fits.filter((n) => Math.abs(n.loss - loss) < 1e-9);
          const chosen = best.find((n) => JSON.stringify(n.levels) === JSON.stringify(out.levels));
          expect(chosen).toBeDefined();
          expect(out.suppressed).toBe(chosen!.suppressed);
          expect(out.suppressed).toBe(Math.min(...best.map((n) => n.suppressed)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('releases nothing from fewer than k records', () => {
    const input = withIds(
      Array.from({ length: 10 }, () => ({
        ageBand: '30-34',
        sex: 'female',
        zip3: '661',
        year: 2021,
        diagnosis: 'I10',
      })),
    );
    const out = kAnonymise(input);
    expect(out).toMatchObject({ records: [], k: 11, suppressed: 10, classes: 0, smallestClass: 0 });
    expect(kAnonymise([])).toMatchObject({ records: [], suppressed: 0, smallestClass: 0 });
  });

  it('generalises no more than it must', () => {
    const row = { sex: 'male', zip3: '661', year: 2021, diagnosis: 'E11' };
    const twelve = withIds(
      Array.from({ length: 12 }, (_, i) => ({ ...row, ageBand: i < 6 ? '20-24' : '25-29' })),
    );
    const out = kAnonymise(twelve);
    expect(out.levels).toEqual({ age: 1, zip: 0, year: 0, sex: 0 });
    expect(out.records.map((r) => r.ageBand)).toEqual(Array(12).fill('20-29'));
    expect(out.records[0]).toEqual({
      id: 0,
      diagnosis: 'E11',
      ageBand: '20-29',
      sex: 'male',
      zip3: '661',
      period: '2021',
    });
    // Already 11 alike: released as stored.
    const same = withIds(Array.from({ length: 11 }, () => ({ ...row, ageBand: '90+' })));
    expect(kAnonymise(same).levels).toEqual({ age: 0, zip: 0, year: 0, sex: 0 });
    expect(kAnonymise(same).records[0]?.period).toBe('2021');
  });

  it('drops a few outliers within the budget rather than generalising everyone', () => {
    const row = { ageBand: '40-44', sex: 'female', zip3: '100', year: 2020, diagnosis: 'J45' };
    const input = withIds([
      ...Array.from({ length: 100 }, () => row),
      { ...row, zip3: '999' },
      { ...row, ageBand: '90+' },
      { ...row, year: 2011 },
    ]);
    const out = kAnonymise(input);
    expect(out.levels).toEqual({ age: 0, zip: 0, year: 0, sex: 0 });
    expect(out.suppressed).toBe(3);
    expect(out.records.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // With no budget, the outliers force generalisation (here all the way to "*" for the one that differs).
    const strict = kAnonymise(input, { maxSuppression: 0 });
    expect(strict.suppressed).toBe(0);
    expect(strict.levels).toEqual({ age: 3, zip: 2, year: 2, sex: 0 });
  });

  it('names the generalisation in words', () => {
    expect(describeGeneralisation({ age: 0, zip: 0, year: 0, sex: 0 })).toBe(
      'age in 5-year bands; sex as recorded; 3-digit ZIP; calendar year',
    );
    expect(describeGeneralisation({ age: 2, zip: 1, year: 1, sex: 1 })).toBe(
      'age in 20-year bands; sex withheld; ZIP to 2 digits (e.g. 66X); year in 5-year periods',
    );
  });

  it('refuses quasi-identifiers outside the lattice and bad options', () => {
    const row = { ageBand: '40-44', sex: 'female', zip3: '100', year: 2020 };
    expect(() => kAnonymise([{ ...row, ageBand: '41' }])).toThrow(/age band/);
    expect(() => kAnonymise([{ ...row, zip3: '1000' }])).toThrow(/zip3/);
    expect(() => kAnonymise([{ ...row, year: 2020.5 }])).toThrow(/year/);
    expect(() => kAnonymise([row], { k: 0 })).toThrow(/k must/);
    expect(() => kAnonymise([row], { maxSuppression: 2 })).toThrow(/maxSuppression/);
  });

  it('anonymises 50,000 records in well under 3 s', () => {
    const sample = fc.sample(
      rowArb(
        Array.from({ length: 300 }, (_, i) => String(i * 3).padStart(3, '0')),
        2000,
        2024,
      ),
      { numRuns: 50_000, seed: 16 },
    );
    const input = withIds(sample);
    const started = performance.now();
    const out = kAnonymise(input);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(3000);
    expect(
      checkKAnonymity(
        out.records.map((r) => ({ ...r, id: String(r.id) })),
        QI_COLUMNS,
        11,
      ).ok,
    ).toBe(true);
    expect(out.suppressed).toBeLessThanOrEqual(2500);
  });
});

describe('k-anonymity check', () => {
  it('counts the classes smaller than k, and the smallest class', () => {
    const rows: Record<string, string>[] = [
      { a: '1', b: 'x' },
      { a: '1', b: 'x' },
      { a: '1', b: 'y' },
      { a: '2', b: 'x', other: 'ignored' },
    ];
    expect(checkKAnonymity(rows, ['a', 'b'], 2)).toEqual({
      ok: false,
      smallestClass: 1,
      violations: 2,
    });
    expect(checkKAnonymity(rows, ['a', 'b'], 1)).toEqual({
      ok: true,
      smallestClass: 1,
      violations: 0,
    });
    expect(checkKAnonymity(rows, ['b'], 3)).toEqual({ ok: false, smallestClass: 1, violations: 1 });
  });

  it('keeps values that would run together apart, reads a missing column as empty, passes no rows', () => {
    const rows = [
      { a: 'x|', b: 'y' },
      { a: 'x', b: '|y' },
    ];
    expect(checkKAnonymity(rows, ['a', 'b'], 2).violations).toBe(2);
    expect(checkKAnonymity([{ a: '' }, {}], ['a'], 2).ok).toBe(true);
    expect(checkKAnonymity([], ['a'], 11)).toEqual({ ok: true, smallestClass: 0, violations: 0 });
    expect(() => checkKAnonymity([], [], 11)).toThrow(/quasi-identifier/);
  });
});
