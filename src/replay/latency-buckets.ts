/**
 * The latency histogram of QEMU's `postcopy-latency-dist`, one definition for
 * every variant and report: bucket k counts latencies in [2^k us, 2^(k+1) us);
 * bucket 0 also takes latencies under 1 us, the last bucket everything longer.
 */
import { LATENCY_BUCKETS } from './result.js';

const LAST = LATENCY_BUCKETS - 1;
/** Below this many ns, `d / 1000` as a double floors exactly; above it the bucket is the last one anyway. */
const LAST_START_NS = 2 ** LAST * 1000;

/** Bucket of a latency `ns` (a non-negative integer): floor(log2(floor(ns / 1000))), 0 under 1 us, capped. */
export function latencyBucket(ns: number): number {
  if (ns >= LAST_START_NS) return LAST;
  const us = Math.floor(ns / 1000);
  return us === 0 ? 0 : 31 - Math.clz32(us);
}

/** Lower bound of bucket k in microseconds (0 for bucket 0, which also holds latencies under 1 us). */
export function bucketLowerUs(k: number): number {
  return k === 0 ? 0 : 2 ** k;
}
