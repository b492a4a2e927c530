import { describe, expect, it } from 'vitest';
import { legStats, log2Histogram } from '../../src/latency/stats.js';

describe('legStats: nearest rank over the exact values', () => {
  it('1..1000 ns: each percentile is the value at rank ceil(p * n)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => BigInt(1000 - i));
    expect(legStats(values)).toEqual({ count: 1000, mean_ns: 501, p50_ns: 500, p90_ns: 900, p99_ns: 990, p999_ns: 999, max_ns: 1000 });
  });

  it('values beyond a double near 2^53 stay exact, and the mean rounds half away from zero', () => {
    const big = 2n ** 52n + 1n;
    expect(legStats([big, big + 2n])).toMatchObject({ mean_ns: 2 ** 52 + 2, p50_ns: 2 ** 52 + 1 });
    expect(legStats([-1n, -2n])).toMatchObject({ mean_ns: -2, p50_ns: -2, max_ns: -1 });
  });

  it('no values: a count of 0 and nulls', () => {
    expect(legStats([])).toEqual({ count: 0, mean_ns: null, p50_ns: null, p90_ns: null, p99_ns: null, p999_ns: null, max_ns: null });
  });
});

describe('log2Histogram', () => {
  it('buckets [2^k, 2^(k+1)) from the lowest to the highest, empty ones between, and one below 1 ns', () => {
    expect(log2Histogram([1n, 3n, 2n, 9n, 0n, -5n])).toEqual([
      { lo_ns: null, hi_ns: 1, count: 2 },
      { lo_ns: 1, hi_ns: 2, count: 1 },
      { lo_ns: 2, hi_ns: 4, count: 2 },
      { lo_ns: 4, hi_ns: 8, count: 0 },
      { lo_ns: 8, hi_ns: 16, count: 1 },
    ]);
  });
});
