import { describe, expect, it } from 'vitest';
import { distribution } from '../../src/fleet/summary.js';

describe('distribution', () => {
  it('takes nearest-rank percentiles, each one a value of the set', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(distribution(values)).toEqual({ min: 1, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(distribution([7])).toEqual({ min: 7, p50: 7, p90: 7, p99: 7, max: 7 });
    expect(distribution([3, -1, 2])).toEqual({ min: -1, p50: 2, p90: 3, p99: 3, max: 3 });
    expect(distribution([])).toBeNull();
  });
});
