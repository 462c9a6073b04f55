import { describe, expect, it } from 'vitest';
import { isBlocking, ONC_SEVERITY, stricter, worldvistaSeverity } from './severity.js';

describe('severity', () => {
  it.each([
    ['CONTRAINDICATION', 'CONTRAINDICATED'],
    ['Contre-indication', 'CONTRAINDICATED'],
    ['Association DECONSEILLEE', 'HIGH'],
    ['Association déconseillée', 'HIGH'],
    ['Not recommended', 'HIGH'],
    ['Precaution for use', 'MODERATE'],
    ['Précaution d’emploi', 'MODERATE'],
    ['Take into account', 'MINOR'],
    ['A prendre en compte', 'MINOR'],
  ])('WorldVistA %s → %s', (word, severity) => {
    expect(worldvistaSeverity(word)).toEqual({ severity, known: true });
  });

  it('an unknown word interrupts (HIGH) and is flagged', () => {
    expect(worldvistaSeverity('Major')).toEqual({ severity: 'HIGH', known: false });
  });

  it('ONC pairs are HIGH; CONTRAINDICATED and HIGH block, the rest do not', () => {
    expect(ONC_SEVERITY).toBe('HIGH');
    expect(
      ['CONTRAINDICATED', 'HIGH', 'MODERATE', 'MINOR', 'INFO'].map((s) => isBlocking(s as 'HIGH')),
    ).toEqual([true, true, false, false, false]);
  });

  it('the stricter wins, either way round', () => {
    expect(stricter('MODERATE', 'HIGH')).toBe('HIGH');
    expect(stricter('CONTRAINDICATED', 'MINOR')).toBe('CONTRAINDICATED');
    expect(stricter('MINOR', 'MINOR')).toBe('MINOR');
  });
});
