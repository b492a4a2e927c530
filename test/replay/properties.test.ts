import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayBatches } from '../../src/replay/engine.js';
import { VARIANTS, type AnalysisResult } from '../../src/replay/result.js';
import { splitBatch, toBatch, traceArb, type GeneratedTrace } from './trace-arbitrary.js';

const RUNS = 150;

async function replay(g: GeneratedTrace, batches = [toBatch(g.rows)]) {
  const { results } = await replayBatches({ pageSize: 4096 }, batches, [...VARIANTS]);
  return results as Record<'mutex' | 'atomic' | 'exact', AnalysisResult>;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('replay properties over generated traces', () => {
  it('without re-entrant or duplicate faults, mutex and exact agree per vCPU and in total', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb({ noReentrant: true }), async (g) => {
        const r = await replay(g);
        expect(r.exact.vcpu_blocktime_ns).toEqual(r.mutex.vcpu_blocktime_ns);
        expect(r.exact.total_blocktime_ns).toBe(r.mutex.total_blocktime_ns);
        expect(r.exact.vcpu_faults).toEqual(r.mutex.vcpu_faults);
        expect(r.exact.non_vcpu_blocktime_ns).toBe(r.mutex.non_vcpu_blocktime_ns);
        expect(r.exact.latency_buckets).toEqual(r.mutex.latency_buckets);
      }),
      { numRuns: RUNS },
    );
  });

  it('on clean, millisecond-aligned traces without other threads, atomic equals mutex per vCPU and in total', async () => {
    const shape = { noReentrant: true, noReceivedFaults: true, noNonVcpu: true, msAligned: true };
    await fc.assert(
      fc.asyncProperty(traceArb(shape), async (g) => {
        const r = await replay(g);
        expect(r.atomic.vcpu_blocktime_ns).toEqual(r.mutex.vcpu_blocktime_ns);
        expect(r.atomic.total_blocktime_ns).toBe(r.mutex.total_blocktime_ns);
        expect(r.atomic.diagnostics).toEqual({ overwritten: 0, erased: 0, lost_blocked_vcpu: 0, ignored_non_vcpu: 0 });
      }),
      { numRuns: RUNS },
    );
  });

  it('millisecond truncation alone never moves a vCPU blocktime by more than 1 ms per counted fault', async () => {
    const shape = { noReentrant: true, noReceivedFaults: true, noNonVcpu: true, faultsAfterFirstMs: true };
    await fc.assert(
      fc.asyncProperty(traceArb(shape), async (g) => {
        const r = await replay(g);
        r.mutex.vcpu_blocktime_ns.forEach((m, c) => {
          expect(Math.abs(r.atomic.vcpu_blocktime_ns[c]! - m)).toBeLessThanOrEqual(1e6 * r.mutex.vcpu_faults[c]!);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('any split into batches gives identical results for every variant', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), async (g, cuts) => {
        const batch = toBatch(g.rows);
        expect(await replay(g, splitBatch(batch, cuts))).toEqual(await replay(g, [batch]));
      }),
      { numRuns: RUNS },
    );
  });

  it('invariants: faults partition, buckets count resolved faults, exact within its bounds', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(), async (g) => {
        const r = await replay(g);
        for (const v of VARIANTS) {
          const f = r[v].faults;
          expect(f.counted + f.no_tid + f.already_received + f.non_vcpu).toBe(r[v].events.fault);
          expect(sum(r[v].vcpu_faults)).toBe(f.counted);
        }
        for (const v of ['mutex', 'exact'] as const) {
          const f = r[v].faults;
          expect(sum(r[v].latency_buckets)).toBe(f.counted + f.non_vcpu - f.unresolved);
        }
        const e = r.exact;
        expect(e.latency!.overall.count).toBe(sum(e.latency_buckets));
        const span = g.rows.length === 0 ? 0 : Number(g.rows[g.rows.length - 1]!.t - g.rows[0]!.t);
        for (const ns of e.vcpu_blocktime_ns) expect(ns).toBeLessThanOrEqual(span);
        // Waits still open at the end count in no vCPU's figure, but an all-down window they were part of may have closed.
        if (e.vcpus > 0 && e.open_at_end!.count === 0) expect(e.total_blocktime_ns).toBeLessThanOrEqual(Math.min(...e.vcpu_blocktime_ns));
        // The latency figures come from the same intervals as the blocktime.
        e.latency!.vcpu.forEach((s, c) => {
          expect(s.count * s.mean_ns).toBeLessThanOrEqual(e.vcpu_blocktime_ns[c]!);
          expect(s.p50_ns).toBeLessThanOrEqual(s.p90_ns);
          expect(s.p90_ns).toBeLessThanOrEqual(s.p99_ns);
          expect(s.p99_ns).toBeLessThanOrEqual(s.max_ns);
        });
        expect(e.open_at_end!.count).toBe(e.faults.unresolved);
      }),
      { numRuns: RUNS },
    );
  });
});
