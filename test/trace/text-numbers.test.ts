import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseI64, parseU64, parsed } from '../../src/trace/text-numbers.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const u64 = (): bigint => (BigInt(parsed.hi) << 32n) | BigInt(parsed.lo);

describe('exact 64-bit parsing from bytes', () => {
  it('every uint64, in decimal and in hex, with leading zeros', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.nat({ max: 3 }), (v, zeros) => {
        for (const text of ['0'.repeat(zeros) + v.toString(), `0x${'0'.repeat(zeros)}${v.toString(16)}`]) {
          const b = bytes(`${text},`);
          expect(parseU64(b, 0, b.length, true)).toBe(text.length);
          expect(u64()).toBe(v);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every int64, and nothing outside', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const b = bytes(v.toString());
        expect(parseI64(b, 0, b.length)).toBe(b.length);
        expect(BigInt.asIntN(64, u64())).toBe(v);
      }),
      { numRuns: 500 },
    );
    for (const text of ['9223372036854775808', '-9223372036854775809', '18446744073709551616', '99999999999999999999999']) {
      const b = bytes(text);
      expect(parseI64(b, 0, b.length)).toBe(-1);
    }
  });
});
