import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_KM, haversineKm } from './haversine.js';

describe('haversineKm', () => {
  it('measures one degree of latitude as earthdistance does', () => {
    expect(haversineKm({ lat: 38.9, lon: -94.7 }, { lat: 39.9, lon: -94.7 })).toBeCloseTo(
      (EARTH_RADIUS_KM * Math.PI) / 180,
      6,
    );
  });

  it('is zero for a point and itself, symmetric, and half the circumference for antipodes', () => {
    const a = { lat: 21.3, lon: -157.8 };
    const b = { lat: 61.2, lon: -149.9 };
    expect(haversineKm(a, a)).toBe(0);
    expect(haversineKm(a, b)).toBeCloseTo(haversineKm(b, a), 9);
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(
      EARTH_RADIUS_KM * Math.PI,
      6,
    );
  });
});
