/**
 * Exact int64 nanoseconds without BigInt per line. QEMU's times are epoch
 * values near 1.8e18 ns, beyond a double's 2^53, so the importer keeps every
 * time as a whole-second base (`NsClock.baseSec`) plus a double offset in ns
 * from it (exact while within 2^53 ns, 104 days), and writes int64 rows from
 * the two through 32-bit words.
 */

const TWO_32 = 4294967296;
const TWO_23 = 8388608;
/** 1e9 = 1953125 * 2^9: `sec * 1953125` stays below 2^53 for any plausible second count. */
const NS_ODD = 1953125;

/** A decimal time split at the second: `sec` whole seconds and `frac` ns (0 <= frac < 1e9), both exact doubles. */
export interface SplitNs {
  sec: number;
  frac: number;
}

/** Parses a decimal count of nanoseconds of up to 19 digits (a QEMU `time: N` field) into seconds and ns, exactly. */
export function splitNsDigits(digits: string, out: SplitNs): void {
  const n = digits.length;
  if (n <= 9) {
    out.sec = 0;
    out.frac = Number(digits);
  } else {
    out.sec = Number(digits.slice(0, n - 9));
    out.frac = Number(digits.slice(n - 9));
  }
}

/** Nanoseconds from `baseSec` to (sec, frac): exact while the result is within 2^53. */
export function offsetNs(sec: number, frac: number, baseSec: number): number {
  return (sec - baseSec) * 1e9 + frac;
}

/**
 * Writes `baseSec * 1e9 + rel` into row `i` of a BigInt64Array seen as Int32
 * words (`words[2i]` low, `words[2i+1]` high), exactly, for results in
 * [0, 2^63). `rel` is a whole number of ns with |rel| < 2^53.
 */
export function writeNs(words: Int32Array, i: number, baseSec: number, rel: number): void {
  const carrySec = Math.floor(rel / 1e9);
  const sec = baseSec + carrySec;
  const frac = rel - carrySec * 1e9;
  // sec * 1e9 = (sec * 1953125) * 2^9, and sec * 1953125 is exact below 2^53.
  const m = sec * NS_ODD;
  let hi = Math.floor(m / TWO_23);
  let lo = (m - hi * TWO_23) * 512 + frac;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  words[2 * i] = lo | 0;
  words[2 * i + 1] = hi | 0;
}

/** The same value as a BigInt, for metadata (once per trace, not per row). */
export function nsBigInt(baseSec: number, rel: number): bigint {
  const carrySec = Math.floor(rel / 1e9);
  return BigInt(baseSec + carrySec) * 1_000_000_000n + BigInt(rel - carrySec * 1e9);
}

/** Largest `|rel|` the importer accepts: beyond it a double no longer holds every ns. */
export const MAX_REL_NS = Number.MAX_SAFE_INTEGER;
