import { describe, expect, it } from 'vitest';
import { ar1Step, estimatePhi, MAX_PHI, praisWinsten } from './ar1-errors.js';
import { forecastWeekly } from './forecast.js';
import { fitRegression } from './regression.js';
import { gaussian, uniform, weeklySeries } from './synthetic.js';

function ar1Series(seed: number, phi: number, n: number): number[] {
  const rand = uniform(seed);
  const out: number[] = [];
  let e = 0;
  for (let t = 0; t < n; t++) {
    e = phi * e + gaussian(rand);
    out.push(e);
  }
  return out;
}

describe('estimatePhi and praisWinsten', () => {
  it('recover the coefficient of AR(1) noise and its innovations', () => {
    const e = ar1Series(1, 0.7, 2000);
    const phi = estimatePhi(e);
    expect(phi).toBeGreaterThan(0.65);
    expect(phi).toBeLessThan(0.75);
    const rows = praisWinsten(
      e.map((v) => [v, 1]),
      0.5,
    );
    expect(rows[0]).toEqual([Math.sqrt(0.75) * e[0]!, Math.sqrt(0.75)]);
    expect(rows[3]![0]).toBeCloseTo(e[3]! - 0.5 * e[2]!, 12);
    expect(rows[3]![1]).toBeCloseTo(0.5, 12);
  });

  it('cap phi and give 0 for residuals with nothing in them', () => {
    const walk = ar1Series(3, 1, 300).map((v, i) => v + i);
    expect(estimatePhi(walk)).toBe(MAX_PHI);
    expect(estimatePhi(Array.from({ length: 40 }, (_, t) => (t % 2 ? 1 : -1)))).toBe(-MAX_PHI);
    expect(estimatePhi(new Array<number>(50).fill(0))).toBe(0);
    expect(estimatePhi([1])).toBe(0);
  });
});

describe('ar1Step', () => {
  it('decays the last residual and accumulates the variance factor', () => {
    expect(ar1Step(0.5, 8, 1)).toEqual({ shift: 4, factor: 1 });
    expect(ar1Step(0.5, 8, 3)).toEqual({ shift: 1, factor: 1 + 0.25 + 0.0625 });
    expect(ar1Step(0, 8, 2)).toEqual({ shift: 0, factor: 1 });
  });
});

describe('AR(1) errors in the regression', () => {
  it('are what AICc prefers for AR(1) noise and mostly not for white noise', () => {
    const mean = { trend: false, harmonics: 0 };
    let preferredOnWhite = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const correlated = ar1Series(seed, 0.6, 200);
      const white = ar1Series(seed, 0, 200);
      const ar = fitRegression(correlated, { ...mean, ar1: true });
      expect(ar.aicc).toBeLessThan(fitRegression(correlated, mean).aicc);
      if (fitRegression(white, { ...mean, ar1: true }).aicc < fitRegression(white, mean).aicc) {
        preferredOnWhite++;
      }
    }
    expect(preferredOnWhite).toBeLessThan(25);
  });

  it('estimate the coefficient and the innovation sd of the errors around a regression', () => {
    const e = ar1Series(8, 0.7, 1000);
    const z = e.map((v, t) => 3 + 0.002 * t + 2 * v);
    const m = fitRegression(z, { trend: true, harmonics: 0, ar1: true });
    expect(m.phi).toBeGreaterThan(0.63);
    expect(m.phi).toBeLessThan(0.77);
    expect(m.sigma).toBeGreaterThan(1.9);
    expect(m.sigma).toBeLessThan(2.1);
    expect(m.df).toBe(1000 - 3);
  });
});

describe('forecastWeekly with AR(1) errors', () => {
  it('covers held-out values of a level plus AR(1) noise better than white-noise errors do', () => {
    const hits = { ar1: 0, white: 0 };
    let total = 0;
    let abs = { ar1: 0, white: 0 };
    for (let seed = 1; seed <= 60; seed++) {
      const noise = ar1Series(seed, 0.8, 128);
      const y = weeklySeries('2022-01-03', 128, (t) => 50 + 3 * noise[t]!);
      for (const errors of ['ar1', 'white'] as const) {
        const f = forecastWeekly(y.slice(0, 120), 8, { transform: 'none', errors });
        f.points.forEach((p, h) => {
          const actual = y[120 + h]!.value;
          if (actual >= p.lower95 && actual <= p.upper95) hits[errors]++;
          abs = { ...abs, [errors]: abs[errors] + Math.abs(actual - p.mean) };
        });
      }
      total += 8;
    }
    expect(hits.ar1 / total).toBeGreaterThan(0.9);
    expect(hits.white / total).toBeLessThan(0.9);
    expect(hits.ar1).toBeGreaterThan(hits.white);
    expect(abs.ar1).toBeLessThan(abs.white);
  });
});
