import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/capture/sim/capture.js';
import { replayBatches } from '../../src/replay/engine.js';
import type { AnalysisResult, VariantName } from '../../src/replay/result.js';
import { type TraceWindow, windowBounds } from '../../src/replay/window.js';
import { addrWords, type TraceBatch } from '../../src/trace/batch.js';
import { Kind, type TraceMeta } from '../../src/trace/schema.js';
import { UsageError } from '../../src/errors.js';
import { simRequestArb } from '../properties/sim-arbitrary.js';
import { toBatch } from './trace-arbitrary.js';

const DESIGNS: VariantName[] = ['mutex', 'atomic', 'exact'];

interface SimTrace {
  meta: TraceMeta;
  batches: TraceBatch[];
  first: bigint;
  spanNs: number;
}

/** A simulated trace held in memory (the simulator reuses its buffers), with its first row's time and its span. */
function simulate(request: Parameters<typeof createSimulator>[0]): SimTrace {
  const sim = createSimulator(request);
  const batches: TraceBatch[] = [];
  for (const b of sim.batches()) {
    batches.push({ length: b.length, firstRow: b.firstRow, t: b.t.slice(0, b.length), kind: b.kind.slice(0, b.length), tid: b.tid.slice(0, b.length), addr: b.addr.slice(0, b.length), cpu: b.cpu.slice(0, b.length) });
  }
  const all = batches.filter((b) => b.length > 0);
  const first = all.length > 0 ? all[0]!.t[0]! : 0n;
  const lastBatch = all.at(-1);
  const last = lastBatch ? lastBatch.t[lastBatch.length - 1]! : 0n;
  return { meta: sim.meta, batches, first, spanNs: Number(last - first) };
}

async function replay(trace: SimTrace, window?: TraceWindow): Promise<Record<VariantName, AnalysisResult>> {
  const { results } = await replayBatches(trace.meta, trace.batches, DESIGNS, window ? { window } : {});
  return results as Record<VariantName, AnalysisResult>;
}

const after = (ns: number): { afterFirstNs: number } => ({ afterFirstNs: ns });

/** Every counter of a result, flattened to name -> value (what windows add up). */
function counters(r: AnalysisResult): Map<string, number> {
  const out = new Map<string, number>();
  const put = (prefix: string, v: unknown): void => {
    if (typeof v === 'number') out.set(prefix, v);
    else if (Array.isArray(v)) v.forEach((x, k) => put(`${prefix}[${k}]`, x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) put(`${prefix}.${k}`, x);
  };
  const { events, faults, total_blocktime_ns, vcpu_blocktime_ns, vcpu_faults, non_vcpu_faults, non_vcpu_blocktime_ns, latency_buckets, anomalies, diagnostics } = r;
  const { unresolved: _state, ...faultCounters } = faults;
  put('', { events, faults: faultCounters, total_blocktime_ns, vcpu_blocktime_ns, vcpu_faults, non_vcpu_faults, non_vcpu_blocktime_ns, latency_buckets, anomalies, diagnostics });
  if (r.variant === 'atomic') put('qemu', r.qemu);
  if (r.latency) {
    put('latency.overall.count', r.latency.overall.count);
    r.latency.vcpu.forEach((s, c) => put(`latency.vcpu[${c}].count`, s.count));
  }
  return out;
}

/**
 * `exact`'s intervals, computed from the rows as docs/blocktime.md states
 * them, apart from the replay: a counted fault opens one for its thread, the
 * page's resolve or the thread's next fault closes it. Those never closed
 * are left out.
 */
function exactIntervals(trace: SimTrace): Array<{ cpu: number; start: number; end: number }> {
  const shift = BigInt(Math.log2(trace.meta.pageSize));
  const cpuOf = new Map<number, number>();
  const received = new Set<bigint>();
  const open = new Map<number, { cpu: number; start: number; page: bigint }>();
  const out: Array<{ cpu: number; start: number; end: number }> = [];
  for (const b of trace.batches) {
    const words = addrWords(b.addr);
    for (let i = 0; i < b.length; i++) {
      const t = Number(b.t[i]! - trace.first);
      const page = ((BigInt(words[2 * i + 1]!) << 32n) | BigInt(words[2 * i]!)) >> shift;
      if (b.kind[i] === Kind.vcpu) cpuOf.set(b.tid[i]!, b.cpu[i]!);
      else if (b.kind[i] === Kind.fault) {
        const tid = b.tid[i]!;
        if (tid === 0) continue;
        const prev = open.get(tid);
        if (prev) {
          out.push({ cpu: prev.cpu, start: prev.start, end: t });
          open.delete(tid);
        }
        if (!received.has(page)) open.set(tid, { cpu: cpuOf.get(tid) ?? -1, start: t, page });
      } else {
        received.add(page);
        for (const [tid, o] of open) {
          if (o.page !== page) continue;
          out.push({ cpu: o.cpu, start: o.start, end: t });
          open.delete(tid);
        }
      }
    }
  }
  return out;
}

/** Three ordered offsets a <= b <= c, from fractions of a span that may reach past it. */
const instantsArb = fc.tuple(fc.double({ min: -0.1, max: 1.1, noNaN: true }), fc.double({ min: -0.1, max: 1.1, noNaN: true }), fc.double({ min: -0.1, max: 1.1, noNaN: true }));
const ordered = (span: number, fractions: number[]): number[] => fractions.map((f) => Math.round(f * span)).sort((x, y) => x - y);

describe('time windows over simulated traces, every design', () => {
  it('the whole-trace window equals the unwindowed result, field for field', async () => {
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 300 }), async (request) => {
        const trace = simulate(request);
        const whole = await replay(trace);
        for (const window of [{ since: after(0) }, { since: { atNs: trace.first }, until: { atNs: trace.first + BigInt(trace.spanNs) + 1n } }, {}]) {
          const windowed = await replay(trace, window);
          for (const d of DESIGNS) {
            const { window: w, ...rest } = windowed[d];
            expect(rest).toEqual(whole[d]);
            expect(w!.rows).toBe(whole[d].events.vcpu + whole[d].events.fault + whole[d].events.resolve);
            expect(w!.since_ns).toBe(trace.first.toString());
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it('windows add up: [a,b) plus [b,c) is [a,c) for every counter', async () => {
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 300 }), instantsArb, async (request, fractions) => {
        const trace = simulate(request);
        const [a, b, c] = ordered(trace.spanNs, fractions) as [number, number, number];
        const ab = await replay(trace, { since: after(a), until: after(b) });
        const bc = await replay(trace, { since: after(b), until: after(c) });
        const ac = await replay(trace, { since: after(a), until: after(c) });
        for (const d of DESIGNS) {
          const [x, y, z] = [counters(ab[d]), counters(bc[d]), counters(ac[d])];
          for (const [name, v] of z) {
            const sum = x.get(name)! + y.get(name)!;
            // atomic's QEMU counters are uint32 milliseconds, summed as QEMU sums them.
            expect(name.startsWith('qemu') ? sum >>> 0 : sum, `${d} ${name}`).toBe(v);
          }
          expect(ab[d].window!.rows + bc[d].window!.rows).toBe(ac[d].window!.rows);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("exact's windowed blocktime is each vCPU's blocked time inside the window", async () => {
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 300 }), instantsArb, async (request, fractions) => {
        const trace = simulate(request);
        const [s, u] = ordered(trace.spanNs, fractions.slice(0, 2)) as [number, number];
        const { exact } = await replay(trace, { since: after(s), until: after(u) });
        const inside = new Array<number>(exact.vcpus).fill(0);
        let nonVcpu = 0;
        for (const iv of exactIntervals(trace)) {
          const len = Math.max(0, Math.min(iv.end, u) - Math.max(iv.start, s));
          if (iv.cpu >= 0) inside[iv.cpu] += len;
          else nonVcpu += len;
        }
        expect(exact.vcpu_blocktime_ns).toEqual(inside);
        expect(exact.non_vcpu_blocktime_ns).toBe(nonVcpu);
      }),
      { numRuns: 40 },
    );
  });

  it('a window outside the trace is all zeros, with a note', async () => {
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 200 }), async (request) => {
        const trace = simulate(request);
        const windows: TraceWindow[] = [{ since: after(trace.spanNs + 1) }, { until: { atNs: trace.first - 1n } }, { since: { atNs: trace.first + 2n ** 60n } }];
        for (const window of windows) {
          const results = await replay(trace, window);
          for (const d of DESIGNS) {
            const r = results[d];
            for (const [name, v] of counters(r)) expect(v, `${d} ${name}`).toBe(0);
            expect(r.window!.rows).toBe(0);
            expect(r.window!.note).toMatch(/no row/);
            if (r.latency) expect(r.latency.overall.max_ns).toBe(0);
          }
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe('windows on hand-written traces', () => {
  // Example 1 of docs/blocktime.md: three vCPUs, times in ms.
  const ms = (x: number): bigint => BigInt(x) * 1_000_000n;
  const A = 0x1000n;
  const B = 0x2000n;
  const C = 0x3000n;
  const D = 0x4000n;
  const example1 = toBatch([
    { t: 0n, kind: Kind.vcpu, tid: 101, addr: 0n, cpu: 0 },
    { t: 0n, kind: Kind.vcpu, tid: 102, addr: 0n, cpu: 1 },
    { t: 0n, kind: Kind.vcpu, tid: 103, addr: 0n, cpu: 2 },
    { t: ms(10), kind: Kind.fault, tid: 101, addr: A, cpu: -1 },
    { t: ms(20), kind: Kind.fault, tid: 102, addr: B, cpu: -1 },
    { t: ms(30), kind: Kind.resolve, tid: 0, addr: A, cpu: -1 },
    { t: ms(40), kind: Kind.fault, tid: 103, addr: C, cpu: -1 },
    { t: ms(50), kind: Kind.fault, tid: 101, addr: D, cpu: -1 },
    { t: ms(60), kind: Kind.resolve, tid: 0, addr: B, cpu: -1 },
    { t: ms(70), kind: Kind.resolve, tid: 0, addr: C, cpu: -1 },
    { t: ms(80), kind: Kind.resolve, tid: 0, addr: D, cpu: -1 },
  ]);
  const meta = { pageSize: 4096 };

  it('[25 ms, 55 ms): exact clips the waits open at each instant; mutex credits the waits that end inside', async () => {
    const { results } = await replayBatches(meta, [example1], DESIGNS, { window: { since: after(25e6), until: after(55e6) } });
    const exact = results.exact!;
    // cpu 0: [10,30) gives 5 ms, [50,80) gives 5; cpu 1: [20,60) gives 30; cpu 2: [40,70) gives 15. All down from 50: 5.
    expect(exact.vcpu_blocktime_ns).toEqual([10e6, 30e6, 15e6]);
    expect(exact.total_blocktime_ns).toBe(5e6);
    // Only A's wait (20 ms) ends inside.
    expect(exact.latency!.overall).toMatchObject({ count: 1, max_ns: 20e6 });
    expect(exact.latency_buckets[14]).toBe(1);
    const mutex = results.mutex!;
    expect(mutex.vcpu_blocktime_ns).toEqual([20e6, 0, 0]);
    expect(mutex.vcpu_faults).toEqual([1, 0, 1]);
    expect(mutex.qemu!['postcopy-vcpu-blocktime']).toEqual([20, 0, 0]);
    expect(exact.window).toEqual({ since_ns: '25000000', until_ns: '55000000', since_offset_ns: 25e6, until_offset_ns: 55e6, rows: 3 });
  });

  it('a wait still open at the end of the trace counts in no window that reaches the end', async () => {
    const open = toBatch([
      { t: 0n, kind: Kind.vcpu, tid: 1, addr: 0n, cpu: 0 },
      { t: ms(10), kind: Kind.fault, tid: 1, addr: A, cpu: -1 },
      { t: ms(20), kind: Kind.resolve, tid: 0, addr: B, cpu: -1 },
    ]);
    const { results } = await replayBatches(meta, [open], ['exact'], { window: { since: after(15e6) } });
    expect(results.exact!.vcpu_blocktime_ns).toEqual([0]);
    expect(results.exact!.open_at_end).toEqual({ count: 1, max_age_ns: 10e6 });
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => windowBounds({ since: after(5), until: after(4) }, 0n)).toThrow(UsageError);
    expect(windowBounds({ since: { atNs: 10n }, until: { atNs: 2n ** 62n } }, 7n)).toEqual({ since: 3, until: Infinity });
  });
});
