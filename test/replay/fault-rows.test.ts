import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { pageShiftOf } from '../../src/replay/context.js';
import { type BlockedRunBatch, CLOSED_BY, type DerivedRowSink, FAULT_STATUSES, type FaultRowBatch, FaultRows } from '../../src/replay/fault-rows.js';
import { createSimulator } from '../../src/capture/sim/capture.js';
import { SCENARIO_NAMES } from '../../src/capture/sim/scenarios.js';
import { subBatch, type TraceBatch } from '../../src/trace/batch.js';
import { Kind } from '../../src/trace/schema.js';
import { toBatch, type Row } from './trace-arbitrary.js';

const vcpu = (tid: number, cpu: number): Row => ({ t: 0n, kind: Kind.vcpu, tid, addr: 0n, cpu });
const fault = (t: bigint, tid: number, addr: bigint): Row => ({ t, kind: Kind.fault, tid, addr, cpu: -1 });
const resolve = (t: bigint, addr: bigint): Row => ({ t, kind: Kind.resolve, tid: 0, addr, cpu: -1 });

interface FaultRow {
  seq: bigint;
  t: bigint;
  tid: number;
  cpu: number;
  page: bigint;
  status: string;
  resolveSeq: bigint | null;
  resolveT: bigint | null;
  closedBy: string | null;
  end: bigint | null;
  latency: bigint | null;
}

const int64 = (words: Uint32Array, k: number): bigint => new BigInt64Array(words.buffer, words.byteOffset, words.length / 2)[k]!;
const valid = (bits: Uint8Array, k: number): boolean => ((bits[k >>> 3]! >>> (k & 7)) & 1) === 1;

/** A sink that decodes every batch it is handed, and counts the hand-overs. */
class Collect {
  faultRows: FaultRow[] = [];
  runRows: Array<[number, bigint, bigint]> = [];
  faultBatches = 0;

  faults(b: FaultRowBatch): void {
    this.faultBatches++;
    for (let k = 0; k < b.length; k++) {
      const resolved = valid(b.resolved, k);
      const closed = valid(b.closed, k);
      this.faultRows.push({
        seq: int64(b.seq, k),
        t: int64(b.t, k),
        tid: b.tid[k]!,
        cpu: b.cpu[k]!,
        page: BigInt.asUintN(64, int64(b.page, k)),
        status: FAULT_STATUSES[b.status[k]!]!,
        resolveSeq: resolved ? int64(b.resolveSeq, k) : null,
        resolveT: resolved ? int64(b.resolveT, k) : null,
        closedBy: closed ? CLOSED_BY[b.closedBy[k]!]! : null,
        end: closed ? int64(b.end, k) : null,
        latency: closed ? int64(b.latency, k) : null,
      });
    }
  }

  runs(b: BlockedRunBatch): void {
    for (let k = 0; k < b.length; k++) this.runRows.push([b.cpu[k]!, int64(b.start, k), int64(b.end, k)]);
  }
}

/** `take`: which rows the sink takes (both by default), so which the walk computes. */
function rowsOf(batches: TraceBatch[], opts: { pageSize?: number; vcpus?: number; batchRows?: number; take?: 'faults' | 'runs' } = {}) {
  const pageSize = opts.pageSize ?? 4096;
  const sink = new Collect();
  const takes: DerivedRowSink = {};
  if (opts.take !== 'runs') takes.faults = (b) => sink.faults(b);
  if (opts.take !== 'faults') takes.runs = (b) => sink.runs(b);
  const rows = new FaultRows(
    { pageSize, pageShift: pageShiftOf(pageSize), ...(opts.vcpus ? { vcpus: opts.vcpus } : {}), baseNs: 0n, file: 't.csv' },
    takes,
    opts.batchRows ?? 64,
  );
  for (const b of batches) rows.consume(b);
  return { rows, sink };
}

describe('FaultRows: the faults and blocked_intervals rows from one pass', () => {
  it('worked example 4: statuses, the page resolve of every fault, waits closed by the next fault', () => {
    const A = 0x1000n, B = 0x2000n, C = 0x3000n;
    const ms = (x: number): bigint => BigInt(x) * 1_000_000n;
    const { rows, sink } = rowsOf([
      toBatch([vcpu(201, 0), vcpu(202, 1), fault(0n, 201, A + 5n), resolve(ms(1), B), fault(ms(3), 201, B), fault(ms(5), 202, C), resolve(ms(10), A), resolve(ms(12), C)]),
    ]);
    expect(rows.finish()).toEqual([]);
    const seqOrder = [...sink.faultRows].sort((a, b) => Number(a.seq - b.seq));
    expect(seqOrder).toEqual([
      { seq: 2n, t: 0n, tid: 201, cpu: 0, page: A, status: 'counted', resolveSeq: 6n, resolveT: ms(10), closedBy: 'next_fault', end: ms(3), latency: ms(3) },
      { seq: 4n, t: ms(3), tid: 201, cpu: 0, page: B, status: 'already_received', resolveSeq: null, resolveT: null, closedBy: null, end: null, latency: null },
      { seq: 5n, t: ms(5), tid: 202, cpu: 1, page: C, status: 'counted', resolveSeq: 7n, resolveT: ms(12), closedBy: 'resolve', end: ms(12), latency: ms(7) },
    ]);
    expect(sink.runRows).toEqual([
      [0, 0n, ms(3)],
      [1, ms(5), ms(12)],
    ]);
  });

  it('hands rows over as their pages are resolved: only the faults outstanding wait', () => {
    const trace: Row[] = [vcpu(1, 0), fault(1n, 1, 0xf000n)];
    for (let k = 0; k < 200; k++) trace.push(fault(BigInt(10 + k), 1, BigInt(k + 1) * 0x10000n), resolve(BigInt(11 + k), BigInt(k + 1) * 0x10000n));
    const { rows, sink } = rowsOf([toBatch(trace)], { batchRows: 64 });
    // 200 rows complete in the pass: three full batches of 64 went out before the end.
    expect(sink.faultBatches).toBe(3);
    rows.finish();
    expect(sink.faultRows).toHaveLength(201);
    // The first fault's page is never resolved: its row comes last, without a resolve, closed by the thread's next fault.
    expect(sink.faultRows.at(-1)).toMatchObject({ seq: 1n, resolveSeq: null, closedBy: 'next_fault', end: 10n, latency: 9n });
    // Waits that touch (each ends where the next starts) make one run.
    expect(sink.runRows).toEqual([[0, 1n, 210n]]);
  });

  it('counts a negative wait as 0 and leaves it out of the runs; names a vCPU whose waits start out of time order', () => {
    const { rows, sink } = rowsOf([
      toBatch([vcpu(1, 0), vcpu(2, 1), fault(50n, 1, 0x1000n), resolve(40n, 0x1000n), fault(10n, 2, 0x2000n), resolve(20n, 0x2000n), fault(5n, 2, 0x3000n), resolve(15n, 0x3000n)]),
    ]);
    expect(rows.finish()).toEqual([1]);
    expect(sink.faultRows.find((r) => r.seq === 2n)).toMatchObject({ end: 40n, latency: 0n });
    // cpu 1's [5, 15) starts before its run [10, 20) but reaches it: one run still.
    expect(sink.runRows).toEqual([[1, 5n, 20n]]);
  });

  it('writes the runs of a vCPU whose waits start out of time order as pieces covering their union, for its caller to merge again', () => {
    // cpu 0 waits [1, 2), [10, 20), then [0, 12): a run that reaches back over one already written.
    const { rows, sink } = rowsOf([
      toBatch([vcpu(1, 0), fault(1n, 1, 0x1000n), resolve(2n, 0x1000n), fault(10n, 1, 0x2000n), resolve(20n, 0x2000n), fault(0n, 1, 0x3000n), resolve(12n, 0x3000n)]),
    ]);
    expect(rows.finish()).toEqual([0]);
    expect(sink.runRows).toEqual([
      [0, 1n, 2n],
      [0, 0n, 20n],
    ]);
  });

  it('computes only the rows its sink takes: fault rows alone, or runs alone, are those of both', () => {
    const disordered = toBatch([vcpu(1, 0), vcpu(2, 1), fault(1n, 1, 0x1000n), resolve(2n, 0x1000n), fault(10n, 1, 0x2000n), fault(11n, 2, 0x2000n), resolve(20n, 0x2000n), fault(0n, 1, 0x3000n), resolve(12n, 0x3000n)]);
    const traces: Array<{ batches: TraceBatch[]; vcpus?: number }> = [{ batches: [disordered] }];
    for (const scenario of SCENARIO_NAMES) {
      const sim = createSimulator({ scenario, options: { seed: 3, vcpus: 3, faults: 500, memoryBytes: 64 * 4096, batchRows: 97 } });
      traces.push({ batches: [...sim.batches()], ...(sim.meta.vcpus !== undefined ? { vcpus: sim.meta.vcpus } : {}) });
    }
    for (const { batches, vcpus } of traces) {
      const walk = (take?: 'faults' | 'runs') => {
        const { rows, sink } = rowsOf(batches, { ...(vcpus !== undefined ? { vcpus } : {}), ...(take ? { take } : {}) });
        return { disordered: rows.finish(), faults: sink.faultRows, runs: sink.runRows };
      };
      const both = walk();
      expect(both.faults.length).toBeGreaterThan(0);
      expect(walk('faults')).toEqual({ disordered: [], faults: both.faults, runs: [] });
      expect(walk('runs')).toEqual({ disordered: both.disordered, faults: [], runs: both.runs });
    }
  });

  it('keeps int64 times and 64-bit page addresses exact, for page sizes up to 2^33', () => {
    const t = 2n ** 62n + 1n;
    const addr = 0xffff_8000_1234_5678n;
    for (const pageSize of [1, 4096, 2 ** 32, 2 ** 33]) {
      const { rows, sink } = rowsOf([toBatch([vcpu(3, 0), fault(t, 3, addr), resolve(-t, addr)])], { pageSize });
      rows.finish();
      expect(sink.faultRows).toEqual([
        {
          seq: 1n, t, tid: 3, cpu: 0, page: addr - (addr % BigInt(pageSize)), status: 'counted',
          resolveSeq: 2n, resolveT: -t, closedBy: 'resolve', end: -t, latency: 0n,
        },
      ]);
    }
  });

  it('gives the same rows whatever the split into batches', () => {
    const trace = toBatch([vcpu(1, 0), vcpu(2, 1), fault(1n, 1, 0x1000n), fault(2n, 2, 0x1000n), fault(3n, 9, 0x2000n), resolve(4n, 0x1000n), fault(5n, 9, 0x1000n), fault(6n, 1, 0x3000n), resolve(7n, 0x2000n)]);
    const whole = rowsOf([trace]);
    whole.rows.finish();
    const pieces = rowsOf([subBatch(trace, 0, 1), subBatch(trace, 1, 4), subBatch(trace, 4, 4), subBatch(trace, 4, 9)]);
    pieces.rows.finish();
    expect(pieces.sink.faultRows).toEqual(whole.sink.faultRows);
    expect(pieces.sink.runRows).toEqual(whole.sink.runRows);
  });

  it('rejects a late vcpu row and an unknown kind code as the replay does', () => {
    expect(() => rowsOf([toBatch([vcpu(1, 0), fault(1n, 1, 0x1000n), vcpu(2, 1)])])).toThrow(InputError);
    expect(() => rowsOf([toBatch([vcpu(1, 0), fault(1n, 1, 0x1000n), { ...resolve(2n, 0x1000n), kind: 7 }])])).toThrow(/t\.csv: row 3: kind code 7/);
  });
});
