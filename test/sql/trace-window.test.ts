import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/capture/sim/capture.js';
import type { AnalysisResult } from '../../src/replay/result.js';
import { openTraceDatabase } from '../../src/sql/trace-database.js';
import type { TraceBatch } from '../../src/trace/batch.js';
import type { TraceSource } from '../../src/trace/source.js';
import { simRequestArb } from '../properties/sim-arbitrary.js';

/** A simulated trace as an open source (the simulator reuses its buffers: each batch is copied). */
function simSource(request: Parameters<typeof createSimulator>[0]): { source: TraceSource; first: bigint; spanNs: number } {
  const sim = createSimulator(request);
  const batches: TraceBatch[] = [];
  for (const b of sim.batches()) {
    if (b.length === 0) continue;
    batches.push({ length: b.length, firstRow: b.firstRow, t: b.t.slice(0, b.length), kind: b.kind.slice(0, b.length), tid: b.tid.slice(0, b.length), addr: b.addr.slice(0, b.length), cpu: b.cpu.slice(0, b.length) });
  }
  const first = batches[0]?.t[0] ?? 0n;
  const last = batches.at(-1);
  const source: TraceSource = {
    path: 'sim',
    format: 'sim',
    meta: sim.meta,
    async *batches() {
      yield* batches;
    },
    close: async () => undefined,
  };
  return { source, first, spanNs: last ? Number(last.t[last.length - 1]! - first) : 0 };
}

describe('query through a time window, on simulated traces', () => {
  it("the window's clipped intervals add up to the windowed replay's exact figures; main.* stays the whole trace", async () => {
    await fc.assert(
      fc.asyncProperty(
        simRequestArb({ maxFaults: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        async (request, f1, f2, materialize) => {
          const { source, first, spanNs } = simSource(request);
          const [s, u] = [Math.round(f1 * spanNs), Math.round(f2 * spanNs)].sort((a, b) => a - b) as [number, number];
          const db = await openTraceDatabase(source, { window: { since: { afterFirstNs: s }, until: { atNs: first + BigInt(u) } }, materialize });
          try {
            const [row] = await db.query("SELECT result::VARCHAR AS r FROM analysis WHERE variant = 'exact'");
            const exact = JSON.parse(String(row!.r)) as AnalysisResult;
            const blocked = await db.query('SELECT cpu, sum(end_ns - start_ns)::DOUBLE AS ns FROM blocked_intervals GROUP BY cpu');
            const perCpu = new Array<number>(exact.vcpus).fill(0);
            for (const r of blocked) perCpu[Number(r.cpu)] = Number(r.ns);
            expect(perCpu).toEqual(exact.vcpu_blocktime_ns);
            const [down] = await db.query('SELECT coalesce(sum(end_ns - start_ns), 0)::DOUBLE AS ns FROM all_down_intervals');
            expect(Number(down!.ns)).toBe(exact.total_blocktime_ns);
            const [ev] = await db.query('SELECT count(*)::DOUBLE AS n, (SELECT count(*) FROM main.events)::DOUBLE AS whole, (SELECT events FROM trace_meta)::DOUBLE AS rows FROM events');
            expect(Number(ev!.n)).toBe(exact.window!.rows);
            expect(Number(ev!.whole)).toBe(Number(ev!.rows));
            const lo = first + BigInt(s);
            const hi = first + BigInt(u);
            const [resolved] = await db.query(`SELECT count(*)::DOUBLE AS n FROM faults WHERE status = 'counted' AND end_t_ns >= ${lo} AND end_t_ns < ${hi}`);
            expect(Number(resolved!.n)).toBe(exact.latency!.overall.count);
            const [results] = await db.query("SELECT sum(blocktime_ns)::DOUBLE AS ns FROM results WHERE variant = 'exact' AND cpu >= 0");
            expect(Number(results!.ns)).toBe(exact.vcpu_blocktime_ns.reduce((a, b) => a + b, 0));
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
