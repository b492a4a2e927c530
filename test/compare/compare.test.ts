import { describe, expect, it } from 'vitest';
import { compareTrace } from '../../src/compare/compare.js';
import type { CompareExplanation, CompareResult } from '../../src/compare/result.js';
import { openTrace } from '../../src/formats/open.js';

const M = 1e6;
const example = (k: number): string => new URL(`../../fixtures/examples/example${k}.csv`, import.meta.url).pathname;

async function compareExample(k: number, explain = 0): Promise<CompareResult> {
  const source = await openTrace(example(k));
  try {
    return await compareTrace(source, { explain });
  } finally {
    await source.close();
  }
}

const none: CompareExplanation = {
  reentrant: { count: 0, ns: 0 },
  mutex_dropped: { count: 0, ns: 0 },
  mutex_inflated: { count: 0, ns: 0 },
  overwritten: { count: 0, ns: 0 },
  erased: 0,
  lost_blocked_vcpu: 0,
  ignored_non_vcpu: 0,
  ms_truncation_lost_ns: 0,
  all_down_shortened: { count: 0, ns: 0 },
};

/** The explanations of the worked examples, worked out by hand from docs/blocktime.md#what-compare-explains. */
const explanations: Record<number, CompareExplanation> = {
  1: none,
  2: {
    ...none,
    reentrant: { count: 1, ns: 10 * M },
    mutex_dropped: { count: 1, ns: 10 * M },
    overwritten: { count: 1, ns: 10 * M },
    all_down_shortened: { count: 1, ns: 5 * M },
  },
  3: {
    ...none,
    reentrant: { count: 1, ns: 10 * M },
    mutex_dropped: { count: 1, ns: 5 * M },
    mutex_inflated: { count: 1, ns: 10 * M },
    overwritten: { count: 1, ns: 10 * M },
    all_down_shortened: { count: 1, ns: 5 * M },
  },
  4: {
    ...none,
    reentrant: { count: 1, ns: 3 * M },
    mutex_inflated: { count: 1, ns: 7 * M },
    overwritten: { count: 1, ns: 3 * M },
    erased: 1,
    lost_blocked_vcpu: 1,
  },
  5: { ...none, ignored_non_vcpu: 1 },
};

/** Rows (0-based, vcpu rows included) where the designs diverge. */
const divergentRows: Record<number, number[]> = { 1: [], 2: [4, 6], 3: [4, 5, 6], 4: [4, 6], 5: [1] };

/** The identities the explanation promises, on the sum over vCPUs. */
export function expectIdentities(r: CompareResult): void {
  const x = r.explanation;
  expect(r.vcpu_sum.mutex.diff_ns).toBe(x.mutex_inflated.ns - x.mutex_dropped.ns);
  expect(r.vcpu_sum.atomic.diff_ns).toBe(0 - (x.overwritten.ns + x.ms_truncation_lost_ns));
}

describe('compare on the worked examples', () => {
  for (const k of [1, 2, 3, 4, 5]) {
    it(`example ${k}: the explanation counters, and they add up to the differences`, async () => {
      const r = await compareExample(k);
      expect(r.explanation).toEqual(explanations[k]);
      expectIdentities(r);
      expect(r.explain).toEqual([]);
    });
    it(`example ${k}: --explain lists the divergent rows`, async () => {
      const r = await compareExample(k, 10);
      expect(r.explain.map((e) => e.row)).toEqual(divergentRows[k]);
    });
  }

  it('example 3: figures side by side, with differences from exact', async () => {
    const r = await compareExample(3);
    expect(r.total).toEqual({
      exact_ns: 10 * M,
      mutex: { ns: 15 * M, diff_ns: 5 * M, diff_pct: 50 },
      atomic: { ns: 5 * M, diff_ns: -5 * M, diff_pct: -50 },
    });
    expect(r.vcpu.map((v) => [v.cpu, v.faults, v.atomic_faults, v.exact_ns, v.mutex.ns, v.atomic.ns])).toEqual([
      [0, 2, 2, 15 * M, 20 * M, 5 * M],
      [1, 1, 1, 25 * M, 25 * M, 25 * M],
    ]);
    expect(r.results.mutex.variant).toBe('mutex');
  });

  it('example 4: each divergent row says what each design did', async () => {
    const r = await compareExample(4, 10);
    expect(r.explain[0]).toMatchObject({ row: 4, t_ns: '3000000', offset_ns: 3 * M, kind: 'fault', vcpu: 0, page: '0x2000' });
    expect(r.explain[0]!.atomic).toMatch(/overwrote.*erased/);
    expect(r.explain[0]!.mutex).toMatch(/ignored: page received/);
    expect(r.explain[0]!.exact).toMatch(/closed the previous wait \(3 ms\)/);
    expect(r.explain[1]).toMatchObject({ row: 6, kind: 'resolve', vcpu: null, page: '0x1000' });
    expect(r.explain[1]!.mutex).toBe('cpu 0 +10 ms; total +5 ms');
    expect(r.explain[1]!.exact).toBe('cpu 0: nothing, its wait ended at the next fault');
  });

  it('explain stops at K rows', async () => {
    const r = await compareExample(3, 2);
    expect(r.explain.map((e) => e.row)).toEqual([4, 5]);
  });
});
