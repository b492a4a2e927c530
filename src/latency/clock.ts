/**
 * The offset between the two logs' clocks (docs/latency.md#clocks), source
 * minus destination. Each request received bounds it from above (it was
 * sent before it was received), each page placed from below (it was sent
 * before it was placed); the tightest bounds give an interval.
 */
import type { JoinedFault } from './join.js';
import { ns } from './stats.js';

export interface ClockBounds {
  /** Largest `t_send - t_place` (or `t_deq - t_place` without a send line) over served faults. */
  lower?: bigint;
  /** Smallest `t_recv - t_rp` (or `t_recv - t_fault` without REQ message lines) over requests received. */
  upper?: bigint;
  /** How many faults gave each bound. */
  lowerFrom: number;
  upperFrom: number;
}

export type ClockSource = 'same-host' | 'estimated' | 'given';

export interface ClockEstimate {
  offset_ns: number;
  uncertainty_ns: number;
  source: ClockSource;
}

export function clockBounds(faults: readonly JoinedFault[]): ClockBounds {
  const b: ClockBounds = { lowerFrom: 0, upperFrom: 0 };
  for (const f of faults) {
    if (f.tRecv === undefined) continue;
    const up = f.tRecv - (f.tRp ?? f.tFault);
    if (b.upper === undefined || up < b.upper) b.upper = up;
    b.upperFrom++;
    // The send, or the dirty dequeue before it, comes before the page's placement. A receipt does not:
    // a request for a page already on its way can arrive after the page was placed.
    const lowSrc = f.tSend ?? f.tDeq;
    if (f.category !== 'served' || f.tPlace === undefined || lowSrc === undefined) continue;
    const low = lowSrc - f.tPlace;
    if (b.lower === undefined || low > b.lower) b.lower = low;
    b.lowerFrom++;
  }
  return b;
}

export interface ClockChoice {
  /** `--clock-offset`: the offset, known. */
  given?: bigint;
  /** `same-host`: one clock; `estimate`: the interval's middle; `auto` (default): one clock when the interval allows it. */
  assume?: 'auto' | 'same-host' | 'estimate';
}

/** The offset to apply (as BigInt, exact) and its JSON form. */
export function chooseClock(b: ClockBounds, choice: ClockChoice): { offset: bigint; estimate: ClockEstimate } {
  if (choice.given !== undefined) return { offset: choice.given, estimate: { offset_ns: ns(choice.given), uncertainty_ns: 0, source: 'given' } };
  const assume = choice.assume ?? 'auto';
  const allowsZero = (b.lower === undefined || b.lower <= 0n) && (b.upper === undefined || b.upper >= 0n);
  if (assume === 'same-host' || (assume === 'auto' && allowsZero)) return { offset: 0n, estimate: { offset_ns: 0, uncertainty_ns: 0, source: 'same-host' } };
  if (b.lower === undefined && b.upper === undefined) return { offset: 0n, estimate: { offset_ns: 0, uncertainty_ns: 0, source: 'same-host' } };
  // One-sided: the bound itself is the best estimate, with no width to report.
  const lo = b.lower ?? b.upper!;
  const hi = b.upper ?? b.lower!;
  const mid = floorDiv(lo + hi, 2n);
  const half = hi - mid > mid - lo ? hi - mid : mid - lo;
  return { offset: mid, estimate: { offset_ns: ns(mid), uncertainty_ns: ns(half < 0n ? -half : half), source: 'estimated' } };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}
