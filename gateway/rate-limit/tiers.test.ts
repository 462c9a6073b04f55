import { describe, expect, it } from 'vitest';
import { STANDARD_LIMITS, TIER_NAMES, isTierName, tierOf, tierTable, tiersFrom } from './tiers.js';

describe('rate-limit tiers', () => {
  it('puts a client nobody assigned on the standard tier', () => {
    expect(tierOf('any-app')).toBe('standard');
    expect(tierOf('any-app', new Map([['other', 'partner']]))).toBe('standard');
    expect(tierOf('any-app', () => undefined)).toBe('standard');
  });

  it('follows the assignments, as a map or a lookup', () => {
    expect(tierOf('acme', new Map([['acme', 'partner']]))).toBe('partner');
    expect(tierOf('sandbox', (id) => (id === 'sandbox' ? 'test' : undefined))).toBe('test');
  });

  it('has standard > partner > test, per client above per user', () => {
    const table = tierTable();
    expect(table.standard).toEqual({ perClient: 600, perUser: 120 });
    expect(table.standard).toEqual(STANDARD_LIMITS);
    expect(table.partner).toEqual({ perClient: 300, perUser: 60 });
    expect(table.test).toEqual({ perClient: 20, perUser: 10 });
    for (const name of TIER_NAMES)
      expect(table[name].perClient).toBeGreaterThan(table[name].perUser);
  });

  it('lets the environment set the standard figures, partners following at half', () => {
    const table = tierTable({ perClient: 40, perUser: 5 });
    expect(table.standard).toEqual({ perClient: 40, perUser: 5 });
    expect(table.partner).toEqual({ perClient: 20, perUser: 2 });
    expect(table.test).toEqual({ perClient: 20, perUser: 10 });
    expect(tierTable({ perUser: 1 }).partner.perUser).toBe(1);
    expect(tierTable({ perUser: 7 }).standard.perClient).toBe(600);
  });

  it('reads tiers from a registry, a name that is no tier counting as standard', () => {
    const names: Record<string, string> = { acme: 'partner', box: 'test', odd: 'gold' };
    const tiers = tiersFrom({ rateLimitTier: (id) => names[id] });
    expect(tierOf('acme', tiers)).toBe('partner');
    expect(tierOf('box', tiers)).toBe('test');
    expect(tierOf('odd', tiers)).toBe('standard');
    expect(tierOf('unknown', tiers)).toBe('standard');
  });

  it('recognises tier names only', () => {
    expect(TIER_NAMES.every(isTierName)).toBe(true);
    expect(isTierName('gold')).toBe(false);
    expect(isTierName(undefined)).toBe(false);
  });
});
