import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TimelineBuilder } from '../../../src/report/html/timeline-builder.js';
import { CHART_WIDTH_PX, type TimeRuns } from '../../../src/report/html/report-data.js';

type Run = [track: number, start: number, end: number];

/** The definition, by brute force: every bin of the chosen width, each run split at the bins' edges. */
function reference(vcpus: number, budget: number, runs: Run[], windows: Array<[number, number]>) {
  const all: Run[] = [...runs, ...windows.map(([s, e]): Run => [-1, s, e])];
  const toRuns = (entries: Array<[number, number, number, number, number]>): TimeRuns => ({
    cpu: entries.map((x) => x[0]),
    start_ns: entries.map((x) => x[1]),
    end_ns: entries.map((x) => x[2]),
    blocked_ns: entries.map((x) => x[3]),
    intervals: entries.map((x) => x[4]),
  });
  if (runs.length <= budget) {
    const sorted = (rs: Run[]) => [...rs].sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([c, s, e]): [number, number, number, number, number] => [c, s, e, e - s, 1]);
    return { resolution_ns: 0, blocked: toRuns(sorted(all.filter((r) => r[0] >= 0))), all_down: toRuns(sorted(all.filter((r) => r[0] < 0))) };
  }
  const cap = Math.max(2, Math.min(CHART_WIDTH_PX, Math.floor(budget / vcpus)));
  const min = Math.min(...all.map((r) => r[1]));
  const max = Math.max(...all.map((r) => r[2]));
  let w = 1;
  while (Math.floor((max - 1) / w) - Math.floor(min / w) + 1 > cap) w *= 2;
  const bins = new Map<string, [number, number, number, number, number]>();
  for (const [c, s, e] of all) {
    for (let b = Math.floor(s / w); b <= Math.floor((e - 1) / w); b++) {
      const key = `${c}:${b}`;
      const bin = bins.get(key) ?? [c, b * w, (b + 1) * w, 0, 0];
      bin[3] += Math.min(e, (b + 1) * w) - Math.max(s, b * w);
      bin[4]++;
      bins.set(key, bin);
    }
  }
  const sorted = [...bins.values()].sort((a, b) => (a[0] < 0 ? 1e9 : a[0]) - (b[0] < 0 ? 1e9 : b[0]) || a[1] - b[1]);
  return { resolution_ns: w, blocked: toRuns(sorted.filter((x) => x[0] >= 0)), all_down: toRuns(sorted.filter((x) => x[0] < 0)) };
}

describe('TimelineBuilder', () => {
  it('bins runs given in any order as the brute-force definition does, doubling and moving its bins as the span grows', () => {
    const run = fc.record({ track: fc.nat(3), start: fc.integer({ min: -5000, max: 100_000 }), len: fc.integer({ min: 1, max: 20_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.array(run, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 8 }), (vcpus, budget, rs, gaps) => {
        const runs: Run[] = rs.map((r) => [r.track % vcpus, r.start, r.start + r.len]);
        // All-down windows in time order, none touching the next (the builder would join them).
        const windows: Array<[number, number]> = [];
        let t = 0;
        for (const g of gaps) {
          windows.push([t, t + g]);
          t += g + 1 + (g % 7);
        }
        const b = new TimelineBuilder(vcpus, budget);
        for (const [c, s, e] of runs) b.run(c, s, e);
        for (const [s, e] of windows) b.allDown(s, e);
        const got = b.finish();
        const want = reference(vcpus, budget, runs, windows);
        expect(got.resolution_ns).toBe(want.resolution_ns);
        expect(got.blocked).toEqual(want.blocked);
        expect(got.all_down).toEqual(want.all_down);
        expect(got.interval_count).toBe(runs.length);
        expect(got.all_down_count).toBe(windows.length);
      }),
      { numRuns: 300 },
    );
  });

  it('joins all-down windows that touch into one', () => {
    const b = new TimelineBuilder(2);
    b.run(0, 0, 100);
    b.run(1, 0, 100);
    b.allDown(10, 20);
    b.allDown(20, 30);
    b.allDown(40, 50);
    const t = b.finish();
    expect(t.all_down_count).toBe(2);
    expect(t.all_down.start_ns).toEqual([10, 40]);
    expect(t.all_down.end_ns).toEqual([30, 50]);
  });

  it('draws no more bins per vCPU than the chart has pixels, whatever the budget', () => {
    const b = new TimelineBuilder(1, 1_000_000);
    for (let k = 0; k < 2_000_000; k++) b.run(0, 3 * k, 3 * k + 2);
    const t = b.finish();
    expect(t.blocked.cpu.length).toBeLessThanOrEqual(CHART_WIDTH_PX);
    expect(t.blocked.blocked_ns.reduce((a, x) => a + x, 0)).toBe(4_000_000);
    expect(t.blocked.intervals.reduce((a, x) => a + x, 0)).toBeGreaterThanOrEqual(2_000_000);
  });
});
