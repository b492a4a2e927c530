import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsClock } from '../../src/replay/ms-clock.js';

/** docs/blocktime.md, Variant 2: ms(t) = floor(t / 1e6) - floor(start / 1e6), 1 if below 1, modulo 2^32; in BigInt. */
function reference(t: bigint, start: bigint): number {
  const floorDiv = (a: bigint): bigint => (a >= 0n ? a / 1_000_000n : -((-a + 999_999n) / 1_000_000n));
  let ms = floorDiv(t) - floorDiv(start);
  if (ms < 1n) ms = 1n;
  return Number(BigInt.asUintN(32, ms));
}

const epoch = fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n });

describe('the atomic design millisecond clock', () => {
  it('matches the BigInt definition from doubles relative to the first row', () => {
    fc.assert(
      fc.property(epoch, fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), fc.bigInt({ min: -(2n ** 52n), max: 2n ** 52n }), (base, startOffset, rel) => {
        const start = base + startOffset;
        expect(new MsClock(base, start).at(Number(rel))).toBe(reference(base + rel, start));
      }),
      { numRuns: 2000 },
    );
  });

  it('clamps to 1 in the first millisecond and wraps at 2^32 ms', () => {
    const c = new MsClock(1_700_000_000_123_456_789n, 1_700_000_000_123_456_789n);
    expect(c.at(0)).toBe(1);
    expect(c.at(543_210)).toBe(1);
    expect(c.at(543_211)).toBe(1);
    expect(c.at(1_543_211)).toBe(2);
    expect(c.at(2 ** 32 * 1e6)).toBe(0);
  });
});
