/**
 * Formatting of the model's integer columns as text without BigInt per row:
 * int64 times and uint64 addresses are read as two 32-bit words.
 */
import { hexAddr } from './batch.js';

const TWO_32 = 4294967296;

/** Row i of `words` (an int64 column seen as int32 words) in decimal. */
export function int64Text(words: Int32Array, t: BigInt64Array, i: number): string {
  const hi = words[2 * i + 1]!;
  // Below 2^53 in magnitude a double holds it exactly.
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * TWO_32 + (words[2 * i]! >>> 0));
  return t[i]!.toString();
}

/** Row i of `words` (a uint64 column seen as uint32 words) as 0x hex. */
export function addrText(words: Uint32Array, i: number): string {
  return hexAddr(words[2 * i + 1]!, words[2 * i]!);
}

export function int64Words(t: BigInt64Array): Int32Array {
  return new Int32Array(t.buffer, t.byteOffset, t.length * 2);
}
