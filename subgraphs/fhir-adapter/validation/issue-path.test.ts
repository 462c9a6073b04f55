import { describe, expect, it } from 'vitest';
import { pointerKeys, pointerToExpression, showKey } from './issue-path.js';

describe('pointerToExpression', () => {
  const condition = { code: { coding: [{ system: 'x' }] }, '1': { a: 1 } };

  it('the root is the resource type', () => {
    expect(pointerToExpression('Condition', condition, '')).toBe('Condition');
  });

  it('array indices in brackets, names after dots', () => {
    expect(pointerToExpression('Condition', condition, '/code/coding/0/system')).toBe(
      'Condition.code.coding[0].system',
    );
  });

  it('a numeric object key is quoted, not taken for an index', () => {
    expect(pointerToExpression('Condition', condition, '/1/a')).toBe('Condition["1"].a');
  });

  it('follows a path past the end of the data', () => {
    expect(pointerToExpression('Patient', {}, '/name/0/family')).toBe('Patient.name["0"].family');
  });

  it('unescapes ~1 and ~0 and quotes odd keys', () => {
    expect(pointerKeys('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(pointerToExpression('Patient', {}, '/a~1b')).toBe('Patient["a/b"]');
  });

  it('cuts very long keys short', () => {
    const key = 'k'.repeat(500);
    expect(showKey(key)).toHaveLength(65);
    expect(pointerToExpression('Patient', {}, `/${key}`).length).toBeLessThan(80);
  });
});
