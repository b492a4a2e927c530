import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { nsBigInt, offsetNs, splitNsDigits, writeNs } from '../../../src/import/qemu-log/ns.js';

describe('exact int64 nanoseconds without BigInt per row', () => {
  it('writeNs(base, rel) is baseSec * 1e9 + rel exactly, for epoch and monotonic bases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: -1e15, max: 1e15 }), (baseSec, rel) => {
        const want = BigInt(baseSec) * 1_000_000_000n + BigInt(rel);
        fc.pre(want >= 0n);
        const t = new BigInt64Array(1);
        writeNs(new Int32Array(t.buffer), 0, baseSec, rel);
        expect(t[0]).toBe(want);
        expect(nsBigInt(baseSec, rel)).toBe(want);
      }),
    );
  });

  it('splits a 19-digit QEMU time field at the second, exactly', () => {
    const s = { sec: 0, frac: 0 };
    splitNsDigits('1795664136591056123', s);
    expect(s).toEqual({ sec: 1795664136, frac: 591056123 });
    splitNsDigits('1664355297705', s);
    expect(s).toEqual({ sec: 1664, frac: 355297705 });
    splitNsDigits('42', s);
    expect(s).toEqual({ sec: 0, frac: 42 });
    expect(offsetNs(1795664136, 591056123, 1795664000)).toBe(136591056123);
  });
});
