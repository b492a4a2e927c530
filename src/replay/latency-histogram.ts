/**
 * A mergeable log-linear latency histogram (HDR style) for the `exact`
 * variant's percentiles: memory does not grow with the number of values.
 *
 * Values are non-negative integer nanoseconds. Values below 2^9 = 512 ns each
 * get a bucket of their own. Above, each power-of-two range [2^e, 2^(e+1)) is
 * split into 2^8 equal buckets, and a percentile that falls in one is reported
 * as the bucket's middle value: off by at most 2^-9 (0.2 %) of the true
 * value. The first 64 values are also kept as they are, so the percentiles of
 * up to 64 values (a short trace, a quiet vCPU) are exact. Count, mean
 * (floored to whole ns) and max are always exact.
 *
 * A bucket counts in 32 bits: a trace would need 2^32 faults of one thread in
 * one bucket to overflow it.
 */
import type { LatencyStats } from './result.js';

const SUB_BITS = 8;
const SUB = 1 << SUB_BITS;
/** Values below this have a bucket each. */
const LINEAR = 2 * SUB;
const TWO_32 = 4294967296;
/** Up to this many values, percentiles come from the values themselves. */
const KEEP = 64;

/** 2^k for k in 0..63, exact doubles. */
const POW2 = Array.from({ length: 64 }, (_, k) => 2 ** k);

export class LatencyHistogram {
  count = 0;
  /** Sum of recorded values while it stays below 2^53 (exact as a double). */
  private sum = 0;
  /** The rest of the sum (merged histograms, overflow), exact whatever its size. */
  private bigSum = 0n;
  max = 0;
  /** The first KEEP values. */
  private kept: Float64Array | undefined;
  private linear: Uint32Array | undefined;
  /** rows[e] counts [2^e, 2^(e+1)) in SUB buckets, allocated on first use. */
  private readonly rows: Array<Uint32Array | undefined> = [];

  record(v: number): void {
    if (this.count < KEEP) (this.kept ??= new Float64Array(KEEP))[this.count] = v;
    this.count++;
    const s = this.sum + v;
    // Past 2^53 a double sum would round: move it to the BigInt (rare: 104 days of waiting).
    if (s > Number.MAX_SAFE_INTEGER) {
      this.bigSum += BigInt(this.sum) + BigInt(v);
      this.sum = 0;
    } else this.sum = s;
    if (v > this.max) this.max = v;
    if (v < LINEAR) {
      (this.linear ??= new Uint32Array(LINEAR))[v]++;
      return;
    }
    const e = v < TWO_32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO_32));
    (this.rows[e] ?? this.addRow(e))[Math.floor(v / POW2[e - SUB_BITS]!) - SUB]++;
  }

  private addRow(e: number): Uint32Array {
    const row = new Uint32Array(SUB);
    this.rows[e] = row;
    return row;
  }

  /** Adds `other`'s values to this one. */
  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    if (this.count + other.count <= KEEP) {
      const kept = (this.kept ??= new Float64Array(KEEP));
      kept.set(other.kept!.subarray(0, other.count), this.count);
    }
    this.count += other.count;
    this.bigSum += BigInt(other.sum) + other.bigSum;
    if (other.max > this.max) this.max = other.max;
    if (other.linear) {
      const lin = (this.linear ??= new Uint32Array(LINEAR));
      for (let v = 0; v < LINEAR; v++) lin[v] += other.linear[v]!;
    }
    other.rows.forEach((src, e) => {
      if (!src) return;
      const dst = this.rows[e] ?? this.addRow(e);
      for (let j = 0; j < SUB; j++) dst[j] += src[j]!;
    });
  }

  stats(): LatencyStats {
    const count = this.count;
    if (count === 0) return { count: 0, mean_ns: 0, p50_ns: 0, p90_ns: 0, p99_ns: 0, p999_ns: 0, max_ns: 0 };
    const ranks = [rankOf(count, 500), rankOf(count, 900), rankOf(count, 990), rankOf(count, 999)];
    const [p50, p90, p99, p999] = count <= KEEP ? this.keptRanks(ranks) : this.bucketRanks(ranks);
    return {
      count,
      mean_ns: Number((BigInt(this.sum) + this.bigSum) / BigInt(count)),
      p50_ns: p50!,
      p90_ns: p90!,
      p99_ns: p99!,
      p999_ns: p999!,
      max_ns: this.max,
    };
  }

  private keptRanks(ranks: number[]): number[] {
    const sorted = this.kept!.slice(0, this.count).sort();
    return ranks.map((r) => sorted[r - 1]!);
  }

  /** The values of the given ascending 1-based ranks, from the buckets. */
  private bucketRanks(ranks: number[]): number[] {
    const out: number[] = [];
    let k = 0;
    let before = 0;
    if (this.linear) {
      const lin = this.linear;
      for (let v = 0; v < LINEAR && k < ranks.length; v++) {
        before += lin[v]!;
        while (k < ranks.length && ranks[k]! <= before) {
          out.push(v);
          k++;
        }
      }
    }
    for (let e = 0; e < this.rows.length && k < ranks.length; e++) {
      const row = this.rows[e];
      if (!row) continue;
      const width = POW2[e - SUB_BITS]!;
      for (let j = 0; j < SUB && k < ranks.length; j++) {
        before += row[j]!;
        while (k < ranks.length && ranks[k]! <= before) {
          const lo = (SUB + j) * width;
          out.push(Math.min(this.max, lo + Math.floor((width - 1) / 2)));
          k++;
        }
      }
    }
    return out;
  }
}

/**
 * Rank of the percentile of `perMille` thousandths among `count` values: the
 * smallest value with at least that share of the values at or below it.
 * Per mille, so that p99.9 is a whole number and the product stays exact
 * (count * 999 < 2^53 for any count a trace can hold).
 */
function rankOf(count: number, perMille: number): number {
  return Math.max(1, Math.ceil((count * perMille) / 1000));
}
