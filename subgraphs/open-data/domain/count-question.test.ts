import { describe, expect, it } from 'vitest';
import {
  cellCount,
  cellKeys,
  checkQuestion,
  MAX_CELLS,
  MAX_CONTRIBUTIONS,
  sensitivityOf,
  type Dimension,
} from './count-question.js';

const ask = (over: Record<string, unknown> = {}) =>
  checkQuestion({ yearFrom: 2020, yearTo: 2025, epsilon: 0.5, ...over }, 1);
const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { extensions?: { code?: string; field?: string } }).extensions;
  }
  return undefined;
};

describe('count questions', () => {
  it('are canonical: filters sorted and deduplicated, dimensions in a fixed order', () => {
    const q = ask({
      filter: { sexes: ['male', 'female', 'male'], zip3s: ['662', '100'] },
      groupBy: ['SEX', 'YEAR'],
    });
    expect(q.filter.sexes).toEqual(['female', 'male']);
    expect(q.filter.zip3s).toEqual(['100', '662']);
    expect(q.groupBy).toEqual(['YEAR', 'SEX']);
    expect(
      ask({
        groupBy: ['YEAR', 'SEX'],
        filter: { sexes: ['female', 'male'], zip3s: ['100', '662'] },
      }),
    ).toEqual(q);
  });

  it('answer every cell of a fixed domain, whatever the data', () => {
    const q = ask({ groupBy: ['YEAR', 'SEX'] });
    expect(cellCount(q)).toBe(6 * 4);
    expect(cellKeys(q)[0]).toEqual(['2020', 'female']);
    expect(cellKeys(ask({ groupBy: ['AGE_BAND'] })).map((k) => k[0])).toContain('90+');
    expect(cellKeys(ask())).toEqual([[]]);
  });

  it('scale the sensitivity to the cells one patient can reach', () => {
    const s = (groupBy: Dimension[], years = 6) =>
      sensitivityOf({ groupBy, yearFrom: 2020, yearTo: 2019 + years });
    expect(s([])).toBe(1);
    expect(s(['SEX', 'ZIP3'])).toBe(1);
    expect(s(['YEAR', 'SEX'])).toBe(6);
    // The year fixes the age band; without it a patient ages through bands.
    expect(s(['YEAR', 'AGE_BAND'])).toBe(6);
    expect(s(['AGE_BAND'])).toBe(MAX_CONTRIBUTIONS);
    expect(s(['CONDITION_CATEGORY'])).toBe(MAX_CONTRIBUTIONS);
    expect(s(['YEAR'], 30)).toBe(MAX_CONTRIBUTIONS);
  });

  it('refuse what they do not know, naming the field', () => {
    expect(code(() => ask({ epsilon: 0 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'epsilon',
    });
    expect(code(() => ask({ epsilon: 1.5 }))).toMatchObject({ field: 'epsilon' });
    expect(code(() => ask({ epsilon: Number.NaN }))).toMatchObject({ field: 'epsilon' });
    expect(code(() => ask({ epsilon: 0.1234567 }))).toMatchObject({ field: 'epsilon' });
    expect(ask({ epsilon: 0.123456 }).epsilon).toBe(0.123456);
    expect(code(() => ask({ yearTo: 2019 }))).toMatchObject({ field: 'yearTo' });
    expect(code(() => ask({ yearFrom: 1900, yearTo: 1950 }))).toMatchObject({ field: 'yearTo' });
    expect(code(() => ask({ filter: { sexes: ['robot'] } }))).toMatchObject({
      field: 'filter.sexes',
    });
    expect(code(() => ask({ filter: { codes: ['icd10|E11; DROP TABLE fact'] } }))).toMatchObject({
      field: 'filter.codes',
    });
    expect(code(() => ask({ rateOf: { zip3s: ['6620'] } }))).toMatchObject({
      field: 'rateOf.zip3s',
    });
    expect(code(() => ask({ groupBy: ['YEAR', 'SEX', 'ZIP3', 'AGE_BAND'] }))).toMatchObject({
      field: 'groupBy',
    });
    expect(cellCount(ask({ groupBy: ['ZIP3', 'SEX'] }))).toBeLessThanOrEqual(MAX_CELLS);
    expect(code(() => ask({ groupBy: ['ZIP3', 'AGE_BAND'] }))).toMatchObject({ field: 'groupBy' });
  });
});
