/**
 * Each vCPU's latency CDF from its waits' latencies, handed over one at a
 * time in any order: a vCPU with many faults is drawn from `CDF_POINTS` of
 * its sorted latencies at evenly spaced ranks, its largest included. Each
 * point is exact; only the steps between them are thinned.
 *
 * Latencies below 2^32 ns (4.3 s), nearly all of them, are kept in 32 bits:
 * the report holds one word per fault while it walks the trace, and sorts
 * each vCPU's at the end, by radix (three passes of 11 bits: a quarter of
 * the time the engine's sort takes on millions of them).
 */
import type { LatencyCdf } from './report-data.js';

export const CDF_POINTS = 256;

const TWO_32 = 4294967296;

/** One vCPU's latencies: the short ones in a growing typed array, the rest apart. */
class Latencies {
  short = new Uint32Array(1024);
  count = 0;
  readonly long: number[] = [];
}

export class LatencyCdfBuilder {
  private readonly of: Latencies[];

  constructor(vcpus: number) {
    this.of = Array.from({ length: vcpus }, () => new Latencies());
  }

  /** A wait of vCPU `cpu`, `ns` long (>= 0, exact below 2^53). */
  add(cpu: number, ns: number): void {
    const l = this.of[cpu]!;
    if (ns >= TWO_32) {
      l.long.push(ns);
      return;
    }
    if (l.count === l.short.length) {
      const wider = new Uint32Array(2 * l.count);
      wider.set(l.short);
      l.short = wider;
    }
    l.short[l.count++] = ns;
  }

  finish(points = CDF_POINTS): LatencyCdf {
    const out: LatencyCdf = { cpu: [], latency_ns: [], fraction: [] };
    this.of.forEach((l, cpu) => {
      const short = radixSort(l.short.subarray(0, l.count));
      const long = l.long.sort((a, b) => a - b);
      const n = l.count + long.length;
      if (n === 0) return;
      const step = Math.ceil(n / points);
      for (let rank = step; rank <= n; rank += step) push(out, cpu, short, long, rank, n);
      if (n % step !== 0) push(out, cpu, short, long, n, n);
      l.short = new Uint32Array(0);
    });
    return out;
  }
}

function push(out: LatencyCdf, cpu: number, short: Uint32Array, long: number[], rank: number, n: number): void {
  out.cpu.push(cpu);
  out.latency_ns.push(rank <= short.length ? short[rank - 1]! : long[rank - 1 - short.length]!);
  out.fraction.push(rank / n);
}

const DIGIT_BITS = 11;
const DIGITS = 1 << DIGIT_BITS;

/** `values` in ascending order (a sorted copy, or `values` itself). */
function radixSort(values: Uint32Array): Uint32Array {
  let from = values;
  let to = new Uint32Array(values.length);
  const count = new Uint32Array(DIGITS);
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    count.fill(0);
    for (let i = 0; i < from.length; i++) count[(from[i]! >>> shift) & (DIGITS - 1)]!++;
    // A pass in which every value has the same digit would only copy.
    if (count[(from[0]! >>> shift) & (DIGITS - 1)] === from.length) continue;
    let at = 0;
    for (let d = 0; d < DIGITS; d++) {
      const c = count[d]!;
      count[d] = at;
      at += c;
    }
    for (let i = 0; i < from.length; i++) {
      const v = from[i]!;
      to[count[(v >>> shift) & (DIGITS - 1)]!++] = v;
    }
    [from, to] = [to, from];
  }
  return from;
}
