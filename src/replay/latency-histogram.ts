/**
 * A mergeable log-linear latency histogram (HDR style) for the `exact`
 * variant's percentiles: memory does not grow with the number of values.
 *
 * Values are non-negative integer nanoseconds. Values below 2^9 = 512 ns each
 * get a bucket of their own (exact). Above, each power-of-two range
 * [2^e, 2^(e+1)) is split into 2^8 equal buckets, so a bucket spans less than
 * 2^-8 of its values; each bucket also keeps the smallest and largest value
 * it received. A percentile is reported as the value of its rank when that is
 * the smallest or largest in its bucket, and otherwise as the midpoint of the
 * bucket's smallest and largest values: off by at most 2^-9 (0.2 %) of the
 * true value. Count, mean (floored to whole ns) and max are exact.
 */
import type { LatencyStats } from './result.js';

const SUB_BITS = 8;
const SUB = 1 << SUB_BITS;
/** Values below this have a bucket each. */
const LINEAR = 2 * SUB;
const TWO_32 = 4294967296;
/** Per bucket of a row: count, smallest value, largest value. */
const STRIDE = 3;

/** 2^k for k in 0..63, exact doubles. */
const POW2 = Array.from({ length: 64 }, (_, k) => 2 ** k);

export class LatencyHistogram {
  count = 0;
  /** Sum of recorded values while it stays below 2^53 (exact as a double). */
  private sum = 0;
  /** The rest of the sum (merged histograms, overflow), exact whatever its size. */
  private mergedSum = 0n;
  max = 0;
  private linear: Float64Array | undefined;
  /** rows[e] covers [2^e, 2^(e+1)), allocated on first use. */
  private readonly rows: Array<Float64Array | undefined> = [];

  record(v: number): void {
    this.count++;
    const s = this.sum + v;
    // Past 2^53 a double sum would round: move it to the BigInt (rare: 104 days of waiting).
    if (s > Number.MAX_SAFE_INTEGER) {
      this.mergedSum += BigInt(this.sum) + BigInt(v);
      this.sum = 0;
    } else this.sum = s;
    if (v > this.max) this.max = v;
    if (v < LINEAR) {
      (this.linear ??= new Float64Array(LINEAR))[v]++;
      return;
    }
    const e = v < TWO_32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO_32));
    const row = this.rows[e] ?? this.addRow(e);
    const j = STRIDE * (Math.floor(v / POW2[e - SUB_BITS]!) - SUB);
    if (++row[j] === 1) {
      row[j + 1] = v;
      row[j + 2] = v;
    } else if (v < row[j + 1]!) row[j + 1] = v;
    else if (v > row[j + 2]!) row[j + 2] = v;
  }

  private addRow(e: number): Float64Array {
    const row = new Float64Array(STRIDE * SUB);
    this.rows[e] = row;
    return row;
  }

  /** Adds `other`'s values to this one. */
  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.mergedSum += BigInt(other.sum) + other.mergedSum;
    if (other.max > this.max) this.max = other.max;
    if (other.linear) {
      const lin = (this.linear ??= new Float64Array(LINEAR));
      for (let v = 0; v < LINEAR; v++) lin[v] += other.linear[v]!;
    }
    other.rows.forEach((src, e) => {
      if (!src) return;
      const dst = this.rows[e] ?? this.addRow(e);
      for (let j = 0; j < src.length; j += STRIDE) {
        const n = src[j]!;
        if (n === 0) continue;
        if (dst[j] === 0) {
          dst[j + 1] = src[j + 1]!;
          dst[j + 2] = src[j + 2]!;
        } else {
          if (src[j + 1]! < dst[j + 1]!) dst[j + 1] = src[j + 1]!;
          if (src[j + 2]! > dst[j + 2]!) dst[j + 2] = src[j + 2]!;
        }
        dst[j] += n;
      }
    });
  }

  stats(): LatencyStats {
    const count = this.count;
    if (count === 0) return { count: 0, mean_ns: 0, p50_ns: 0, p90_ns: 0, p99_ns: 0, max_ns: 0 };
    const [p50, p90, p99] = this.ranks([rankOf(count, 50), rankOf(count, 90), rankOf(count, 99)]);
    return {
      count,
      mean_ns: Number((BigInt(this.sum) + this.mergedSum) / BigInt(count)),
      p50_ns: p50!,
      p90_ns: p90!,
      p99_ns: p99!,
      max_ns: this.max,
    };
  }

  /** The values of the given ascending 1-based ranks. */
  private ranks(ranks: number[]): number[] {
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
      for (let j = 0; j < row.length && k < ranks.length; j += STRIDE) {
        const n = row[j]!;
        if (n === 0) continue;
        while (k < ranks.length && ranks[k]! <= before + n) {
          const r = ranks[k]! - before;
          const lo = row[j + 1]!;
          const hi = row[j + 2]!;
          out.push(r === 1 ? lo : r === n ? hi : Math.floor((lo + hi) / 2));
          k++;
        }
        before += n;
      }
    }
    return out;
  }
}

/** Rank of the p-th percentile among `count` values: the smallest value with at least p % of the values at or below it. */
function rankOf(count: number, p: number): number {
  return Math.max(1, Math.ceil((count * p) / 100));
}
