/**
 * Summaries of a leg's exact values (int64 ns as BigInt): the sets are one
 * value per fault, small enough to sort whole, so percentiles are nearest
 * rank over the values themselves, not over a histogram.
 */

export interface LegStats {
  count: number;
  /** `null` when `count` is 0. The mean is rounded half away from zero to a whole ns. */
  mean_ns: number | null;
  p50_ns: number | null;
  p90_ns: number | null;
  p99_ns: number | null;
  p999_ns: number | null;
  max_ns: number | null;
}

/** Nearest rank: the smallest value with at least `perMille`/1000 of the values at or below it. */
function rank(sorted: readonly bigint[], perMille: number): bigint {
  const n = sorted.length;
  const r = Math.ceil((n * perMille) / 1000);
  return sorted[Math.max(1, r) - 1]!;
}

/** A leg value as a JSON number: the legs are durations, far below 2^53 ns. */
export function ns(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`a duration of ${v} ns is beyond 2^53 ns`);
  return n;
}

export function sortBig(values: readonly bigint[]): bigint[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function legStats(values: readonly bigint[]): LegStats {
  const n = values.length;
  if (n === 0) return { count: 0, mean_ns: null, p50_ns: null, p90_ns: null, p99_ns: null, p999_ns: null, max_ns: null };
  const sorted = sortBig(values);
  let sum = 0n;
  for (const v of values) sum += v;
  const big = BigInt(n);
  const neg = sum < 0n;
  const a = neg ? -sum : sum;
  const mean = (2n * a + big) / (2n * big);
  return {
    count: n,
    mean_ns: ns(neg ? -mean : mean),
    p50_ns: ns(rank(sorted, 500)),
    p90_ns: ns(rank(sorted, 900)),
    p99_ns: ns(rank(sorted, 990)),
    p999_ns: ns(rank(sorted, 999)),
    max_ns: ns(sorted[n - 1]!),
  };
}

/** A log2 bucket: [lo_ns, hi_ns); `lo_ns` null for the bucket of values below 1 ns (zero or negative: clocks or background pages). */
export interface Log2Bucket {
  lo_ns: number | null;
  hi_ns: number;
  count: number;
}

/** Buckets [2^k, 2^(k+1)) from the smallest to the largest occupied one, empty ones between included. */
export function log2Histogram(values: readonly bigint[]): Log2Bucket[] {
  let below = 0;
  const counts = new Map<number, number>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < 1n) {
      below++;
      continue;
    }
    const k = v.toString(2).length - 1;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    lo = Math.min(lo, k);
    hi = Math.max(hi, k);
  }
  const out: Log2Bucket[] = [];
  if (below > 0) out.push({ lo_ns: null, hi_ns: 1, count: below });
  for (let k = lo; k <= hi; k++) out.push({ lo_ns: 2 ** k, hi_ns: 2 ** (k + 1), count: counts.get(k) ?? 0 });
  return out;
}
