import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBatches } from '../../src/compare/compare.js';
import { splitBatch, toBatch, traceArb } from '../replay/trace-arbitrary.js';

const meta = { pageSize: 4096 };

describe('compare properties over generated traces', () => {
  it('the explanation adds up to each design\'s difference from exact', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(), async (g) => {
        const r = await compareBatches(meta, [toBatch(g.rows)]);
        const x = r.explanation;
        expect(r.vcpu_sum.mutex.diff_ns).toBe(x.mutex_inflated.ns - x.mutex_dropped.ns);
        expect(r.vcpu_sum.atomic.diff_ns + x.overwritten.ns + x.ms_truncation_lost_ns).toBe(0);
        expect(x.overwritten.count).toBe(r.results.atomic.diagnostics!.overwritten);
        expect(x.erased).toBe(r.results.atomic.diagnostics!.erased);
        expect(x.lost_blocked_vcpu).toBe(r.results.atomic.diagnostics!.lost_blocked_vcpu);
        expect(x.ignored_non_vcpu).toBe(r.results.atomic.diagnostics!.ignored_non_vcpu);
      }),
      { numRuns: 200 },
    );
  });

  it('a clean trace has nothing to explain', async () => {
    const shape = { noReentrant: true, noReceivedFaults: true, noNonVcpu: true, msAligned: true };
    await fc.assert(
      fc.asyncProperty(traceArb(shape), async (g) => {
        const r = await compareBatches(meta, [toBatch(g.rows)], { explain: 100 });
        expect(r.explain).toEqual([]);
        expect(r.total.mutex.diff_ns).toBe(0);
        expect(r.total.atomic.diff_ns).toBe(0);
        expect(r.explanation.reentrant.count).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('batch boundaries change nothing, --explain K lists at most K rows, in trace order', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), fc.nat(6), async (g, cuts, k) => {
        const batch = toBatch(g.rows);
        const whole = await compareBatches(meta, [batch], { explain: k });
        expect(await compareBatches(meta, splitBatch(batch, cuts), { explain: k })).toEqual(whole);
        expect(whole.explain.length).toBeLessThanOrEqual(k);
        const rows = whole.explain.map((e) => e.row);
        expect(rows).toEqual([...rows].sort((a, b) => a - b));
      }),
      { numRuns: 100 },
    );
  });
});
