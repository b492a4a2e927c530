/**
 * The log2 latency histogram of docs/blocktime.md (Variant 1): bucket k holds [2^k us,
 * 2^(k+1) us); bucket 0 also holds everything under 1 us and the last bucket
 * everything longer. Labels name the bounds in binary units, as QEMU's
 * buckets are powers of two of microseconds: "1 ms" is 1024 us.
 */
export function bucketBound(k: number): string {
  if (k < 10) return `${2 ** k} us`;
  if (k < 20) return `${2 ** (k - 10)} ms`;
  return `${2 ** (k - 20)} s`;
}

export function bucketLabel(k: number, buckets: number): string {
  const lo = k === 0 ? '0' : bucketBound(k);
  return k === buckets - 1 ? `[${lo}, ∞)` : `[${lo}, ${bucketBound(k + 1)})`;
}
