import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS, parseWeights } from './weights.js';

describe('recommendation weights', () => {
  it('are the defaults without configuration, and merge what is configured', () => {
    expect(parseWeights(undefined)).toEqual(DEFAULT_WEIGHTS);
    const w = parseWeights('{"routine":{"travel":0.9}}');
    expect(w.routine.travel).toBe(0.9);
    expect(w.routine.availability).toBe(DEFAULT_WEIGHTS.routine.availability);
    expect(w.emergency).toEqual(DEFAULT_WEIGHTS.emergency);
  });

  it('refuse a setting that is not JSON, names an unknown factor or urgency, or is out of range', () => {
    expect(() => parseWeights('{')).toThrow(/not JSON/);
    expect(() => parseWeights('{"routine":{"speed":1}}')).toThrow(/CARE_ROUTING_WEIGHTS/);
    expect(() => parseWeights('{"later":{}}')).toThrow(/CARE_ROUTING_WEIGHTS/);
    expect(() => parseWeights('{"urgent":{"travel":2}}')).toThrow(/urgent\.travel/);
    expect(() =>
      parseWeights(
        '{"routine":{"travel":0,"capacity":0,"emergencyWait":0,"diversion":0,"availability":0,"preference":0}}',
      ),
    ).toThrow(/every routine weight is 0/);
  });
});
