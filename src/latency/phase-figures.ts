/**
 * Faults and blocktime per migration phase, for `analyze`
 * (docs/latency.md#phases). A phase's faults are the `fault` rows whose
 * time falls in it; its blocktime is what the design credited while it
 * lasted: the running total after the rows before its end minus the one
 * after the rows before its start (row order, cut at the first row at or
 * after the boundary). A boundary that falls among the faults costs one
 * replay of the trace up to it; the others need none.
 */
import type { TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import type { PhaseRecord } from './migration-file.js';

export interface PhaseFigure {
  side: string;
  state: string;
  /** On the trace's clock, exact. */
  start_ns: string;
  duration_ns: number;
  faults: number;
  blocktime_ns: number;
}

/** Follows the batches of a replay to learn the fault rows' times and the last row's, without changing them. */
export class RowTimes {
  readonly faults: bigint[] = [];
  last: bigint | undefined;

  async *tap(batches: AsyncIterable<TraceBatch>): AsyncGenerator<TraceBatch> {
    for await (const b of batches) {
      for (let i = 0; i < b.length; i++) {
        const t = b.t[i]!;
        if (b.kind[i] === Kind.fault) this.faults.push(t);
        if (this.last === undefined || t > this.last) this.last = t;
      }
      yield b;
    }
  }
}

/** The batches' rows before the first one at or after `cut`. */
export async function* rowsBefore(batches: AsyncIterable<TraceBatch>, cut: bigint): AsyncGenerator<TraceBatch> {
  for await (const b of batches) {
    const i = b.t.findIndex((t) => t >= cut);
    if (i < 0) {
      yield b;
      continue;
    }
    if (i > 0) yield { ...b, length: i, t: b.t.subarray(0, i), kind: b.kind.subarray(0, i), tid: b.tid.subarray(0, i), addr: b.addr.subarray(0, i), cpu: b.cpu.subarray(0, i) };
    return;
  }
}

/**
 * `replayBefore(cut)`: the design's total blocktime after the rows before
 * `cut`. `total`: after all of them.
 */
export async function phaseFigures(phases: readonly PhaseRecord[], times: RowTimes, total: number, replayBefore: (cut: bigint) => Promise<number>): Promise<PhaseFigure[]> {
  const sorted = [...times.faults].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = sorted[0];
  const cache = new Map<bigint, number>();
  const runningAt = async (b: bigint): Promise<number> => {
    if (first === undefined || b <= first) return 0;
    if (times.last !== undefined && b > times.last) return total;
    let v = cache.get(b);
    if (v === undefined) {
      v = await replayBefore(b);
      cache.set(b, v);
    }
    return v;
  };
  const out: PhaseFigure[] = [];
  for (const p of phases) {
    if (p.kind !== 'state') continue;
    const start = BigInt(p.start_ns);
    const end = BigInt(p.end_ns);
    const faults = countIn(sorted, start, end);
    out.push({
      side: p.side,
      state: p.name,
      start_ns: p.start_ns,
      duration_ns: Number(end - start),
      faults,
      blocktime_ns: (await runningAt(end)) - (await runningAt(start)),
    });
  }
  return out;
}

/** How many of the ascending `sorted` lie in [lo, hi). */
function countIn(sorted: readonly bigint[], lo: bigint, hi: bigint): number {
  return lowerBound(sorted, hi) - lowerBound(sorted, lo);
}

function lowerBound(sorted: readonly bigint[], v: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
