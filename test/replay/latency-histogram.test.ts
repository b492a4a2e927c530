import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/replay/latency-histogram.js';

/** The definition: the smallest value with at least p per mille of the values at or below it (p99.9 is 999). */
function exactPercentile(sorted: number[], perMille: number): number {
  return sorted[Math.max(1, Math.ceil((sorted.length * perMille) / 1000)) - 1]!;
}

const value = fc.oneof(fc.nat(600), fc.nat(5_000_000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

describe('LatencyHistogram', () => {
  it('percentiles within 2^-9 of the exact ones, exact below 512 ns; count, mean and max exact', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), (values) => {
        const h = new LatencyHistogram();
        for (const v of values) h.record(v);
        const sorted = [...values].sort((a, b) => a - b);
        const s = h.stats();
        expect(s.count).toBe(values.length);
        expect(s.max_ns).toBe(sorted[sorted.length - 1]);
        expect(s.mean_ns).toBe(Number(values.reduce((a, v) => a + BigInt(v), 0n) / BigInt(values.length)));
        for (const [p, got] of [[500, s.p50_ns], [900, s.p90_ns], [990, s.p99_ns], [999, s.p999_ns]] as const) {
          const want = exactPercentile(sorted, p);
          if (want < 512) expect(got).toBe(want);
          else expect(Math.abs(got - want)).toBeLessThanOrEqual(want * 2 ** -9);
        }
      }),
    );
  });

  it('up to 64 values, percentiles are exact, merged or not', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 64 }), fc.nat(64), (values, cut) => {
        const whole = new LatencyHistogram();
        const a = new LatencyHistogram();
        const b = new LatencyHistogram();
        values.forEach((v, i) => (whole.record(v), (i < cut ? a : b).record(v)));
        a.merge(b);
        const sorted = [...values].sort((x, y) => x - y);
        for (const s of [whole.stats(), a.stats()]) {
          expect([s.p50_ns, s.p90_ns, s.p99_ns, s.p999_ns]).toEqual([500, 900, 990, 999].map((p) => exactPercentile(sorted, p)));
        }
      }),
    );
    const h = new LatencyHistogram();
    for (const v of [5_000_000, 10_000_000, 25_000_000]) h.record(v);
    expect(h.stats()).toEqual({ count: 3, mean_ns: 13_333_333, p50_ns: 10_000_000, p90_ns: 25_000_000, p99_ns: 25_000_000, p999_ns: 25_000_000, max_ns: 25_000_000 });
  });

  it('p99.9 sees a tail that p99 does not: 3 slow waits in 2000', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 1997; i++) h.record(100);
    for (let i = 0; i < 3; i++) h.record(300);
    const s = h.stats();
    // Ranks: p99 is the 1980th value, p99.9 the 1998th.
    expect([s.p99_ns, s.p999_ns, s.max_ns]).toEqual([100, 300, 300]);
  });

  it('merging histograms equals recording all the values in one', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 100 }), fc.array(value, { maxLength: 100 }), (a, b) => {
        const ha = new LatencyHistogram();
        const hb = new LatencyHistogram();
        const all = new LatencyHistogram();
        a.forEach((v) => (ha.record(v), all.record(v)));
        b.forEach((v) => (hb.record(v), all.record(v)));
        ha.merge(hb);
        expect(ha.stats()).toEqual(all.stats());
      }),
    );
  });

  it('no values: all zero', () => {
    expect(new LatencyHistogram().stats()).toEqual({ count: 0, mean_ns: 0, p50_ns: 0, p90_ns: 0, p99_ns: 0, p999_ns: 0, max_ns: 0 });
  });
});
