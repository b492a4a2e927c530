/**
 * Exact integer parsing straight from bytes, for the text readers: 64-bit
 * values are built as two 32-bit halves in doubles (every step below 2^36,
 * so exact), never through BigInt or a string.
 */

const TWO_32 = 4294967296;

/** The last value parsed, as unsigned 32-bit halves. */
export const parsed = { lo: 0, hi: 0 };

/** Why a parse failed: NONE on success (the return value is then the position after the number). */
export const NumberError = { none: 0, syntax: 1, range: 2 } as const;
export let numberError: number = NumberError.none;

/**
 * An unsigned 64-bit integer at b[p..end): decimal digits, or `0x` and hex
 * digits when `hex` is allowed. Returns the position after it; on failure
 * sets `numberError` and returns -1.
 */
export function parseU64(b: Uint8Array, p: number, end: number, hex: boolean): number {
  numberError = NumberError.none;
  if (hex && p + 1 < end && b[p] === 0x30 && (b[p + 1] === 0x78 || b[p + 1] === 0x58)) return parseHex(b, p + 2, end);
  const start = p;
  // Up to 15 digits fit a double exactly: the common case takes no splitting.
  let v = 0;
  const fast = Math.min(end, p + 15);
  for (; p < fast; p++) {
    const d = b[p]! - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  let hi = Math.floor(v / TWO_32);
  let lo = v - hi * TWO_32;
  for (; p < end; p++) {
    const d = b[p]! - 0x30;
    if (d < 0 || d > 9) break;
    lo = lo * 10 + d;
    if (lo >= TWO_32) {
      const carry = Math.floor(lo / TWO_32);
      lo -= carry * TWO_32;
      hi = hi * 10 + carry;
    } else {
      hi *= 10;
    }
    if (hi >= TWO_32) return fail(NumberError.range);
  }
  if (p === start) return fail(NumberError.syntax);
  parsed.lo = lo;
  parsed.hi = hi;
  return p;
}

function parseHex(b: Uint8Array, p: number, end: number): number {
  let lo = 0;
  let hi = 0;
  const start = p;
  for (; p < end; p++) {
    const c = b[p]!;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else break;
    if (hi >>> 28 !== 0) return fail(NumberError.range);
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  if (p === start) return fail(NumberError.syntax);
  parsed.lo = lo;
  parsed.hi = hi;
  return p;
}

/** A signed 64-bit decimal integer, left in `parsed` as two's complement halves. */
export function parseI64(b: Uint8Array, p: number, end: number): number {
  const negative = p < end && b[p] === 0x2d;
  const q = parseU64(b, negative ? p + 1 : p, end, false);
  if (q < 0) return q;
  const { lo, hi } = parsed;
  if (negative) {
    // Magnitude at most 2^63.
    if (hi > 0x80000000 || (hi === 0x80000000 && lo !== 0)) return fail(NumberError.range);
    parsed.lo = (TWO_32 - lo) % TWO_32;
    parsed.hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  } else if (hi >= 0x80000000) {
    return fail(NumberError.range);
  }
  return q;
}

/** An unsigned 32-bit decimal integer; the value is `parsed.lo`. */
export function parseU32(b: Uint8Array, p: number, end: number): number {
  const q = parseU64(b, p, end, false);
  if (q >= 0 && parsed.hi !== 0) return fail(NumberError.range);
  return q;
}

/** A signed 32-bit decimal integer; the value is `parsed.lo | 0`. */
export function parseI32(b: Uint8Array, p: number, end: number): number {
  const negative = p < end && b[p] === 0x2d;
  const q = parseU64(b, negative ? p + 1 : p, end, false);
  if (q < 0) return q;
  if (parsed.hi !== 0 || parsed.lo > (negative ? 0x80000000 : 0x7fffffff)) return fail(NumberError.range);
  if (negative) parsed.lo = (TWO_32 - parsed.lo) % TWO_32;
  return q;
}

function fail(kind: number): number {
  numberError = kind;
  return -1;
}

