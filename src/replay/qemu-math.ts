/** QEMU's integer arithmetic on the replay's exact nanosecond sums (at result time, never per event). */

/** floor(a / b) for non-negative integers, exact at any magnitude; 0 when b is 0 (QEMU reports 0 for no faults). */
export function floorDiv(a: number, b: number): number {
  return b === 0 ? 0 : Number(BigInt(a) / BigInt(b));
}

/** Whole milliseconds of `ns`, as QEMU's uint32 (wraps past 2^32 ms, 49.7 days). */
export function msUint32(ns: number): number {
  return Number((BigInt(ns) / 1000000n) & 0xffffffffn);
}
