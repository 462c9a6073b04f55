import { addWeeks } from './iso-week.js';
import { WEEKLY_PERIOD } from './regression.js';
import type { WeeklyPoint } from './types.js';

/**
 * Seeded synthetic weekly series for tests and checks: a known mean curve
 * (level, trend, annual cycle) with Poisson or Gaussian noise, so a forecast
 * can be judged against the truth. Not clinical data.
 */

/** mulberry32: a small seeded uniform [0, 1) generator, the same on every machine. */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw by inversion (fine for the means of weekly counts, up to a few hundred). */
export function poisson(rand: () => number, lambda: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rand();
  while (u > cdf && k < 10_000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** A standard normal draw (Box–Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A seasonal mean curve: level·exp(amplitude·sin(2πt/52.18 + phase) + growth·t). */
export function seasonalMean(
  t: number,
  shape: { level: number; amplitude: number; phase?: number; growth?: number },
): number {
  const season = shape.amplitude * Math.sin((2 * Math.PI * t) / WEEKLY_PERIOD + (shape.phase ?? 0));
  return shape.level * Math.exp(season + (shape.growth ?? 0) * t);
}

/** Weekly points from `start` with values f(t) for t = 0..n-1. */
export function weeklySeries(start: string, n: number, f: (t: number) => number): WeeklyPoint[] {
  return Array.from({ length: n }, (_, t) => ({ week: addWeeks(start, t), value: f(t) }));
}
