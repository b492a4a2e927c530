import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABSENT, PageMap, PageSet, U32Map, pageHex, pageHi, pageLo } from '../../src/replay/page-table.js';

/** Keys crowded into few hash homes and spread over both halves, to exercise probing and backward-shift deletion. */
const key = fc.tuple(fc.oneof(fc.nat(64), fc.constantFrom(0, 0xffffffff, 0x80000000)), fc.oneof(fc.constant(0), fc.nat(3), fc.constant(0xffffffff)));
const op = fc.tuple(fc.constantFrom('set', 'take', 'get'), key, fc.integer({ min: -1, max: 1 << 30 }));

describe('page tables', () => {
  it('PageMap behaves like a Map through growth and deletions', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const m = new PageMap();
        const model = new Map<string, number>();
        for (const [what, [lo, hi], v] of ops) {
          const k = `${lo}:${hi}`;
          if (what === 'set') {
            m.set(lo, hi, v);
            model.set(k, v);
          } else if (what === 'take') {
            expect(m.take(lo, hi)).toBe(model.get(k) ?? ABSENT);
            model.delete(k);
          } else expect(m.get(lo, hi)).toBe(model.get(k) ?? ABSENT);
          expect(m.size).toBe(model.size);
        }
        for (const [k, v] of model) {
          const [lo, hi] = k.split(':').map(Number);
          expect(m.get(lo!, hi!)).toBe(v);
        }
      }),
    );
  });

  it('U32Map behaves like a Map through growth and deletions', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const m = new U32Map();
        const model = new Map<number, number>();
        for (const [what, [k], v] of ops) {
          if (what === 'set') {
            m.set(k, v);
            model.set(k, v);
          } else if (what === 'take') {
            expect(m.take(k)).toBe(model.get(k) ?? ABSENT);
            model.delete(k);
          } else expect(m.get(k)).toBe(model.get(k) ?? ABSENT);
        }
        for (const [k, v] of model) expect(m.get(k)).toBe(v);
        expect(m.size).toBe(model.size);
      }),
    );
  });

  it('PageSet behaves like a Set when pages are scattered over more chunks than get whole bitmaps', () => {
    // 2^26 pages a chunk, 64 chunks with a bitmap: 200 chunks force the per-region fallback.
    const chunkKey = fc.tuple(fc.nat(199), fc.nat((1 << 26) - 1), fc.constantFrom(0, 1, 0xfffff));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), chunkKey), { minLength: 100, maxLength: 600 }), (ops) => {
        const s = new PageSet();
        const model = new Set<string>();
        for (const [add, [chunk, offset, top]] of ops) {
          // page number = top:chunk:offset, as the two 32-bit halves the replay passes
          const lo = ((chunk << 26) | offset) >>> 0;
          const hi = ((top << 6) | (chunk >>> 6)) >>> 0;
          if (add) {
            // add says whether the page is new, as the replay's resolve asks.
            expect(s.add(lo, hi)).toBe(!model.has(`${lo}:${hi}`));
            model.add(`${lo}:${hi}`);
          }
          expect(s.has(lo, hi)).toBe(model.has(`${lo}:${hi}`));
        }
        expect(s.size).toBe(model.size);
      }),
      { numRuns: 30 },
    );
  });

  it('PageSet behaves like a Set, pages of one 32-page chunk included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 400 }), (ops) => {
        const s = new PageSet();
        const model = new Set<string>();
        for (const [add, [lo, hi]] of ops) {
          if (add) {
            expect(s.add(lo, hi)).toBe(!model.has(`${lo}:${hi}`));
            model.add(`${lo}:${hi}`);
          }
          expect(s.has(lo, hi)).toBe(model.has(`${lo}:${hi}`));
          expect(s.has(lo ^ 1, hi)).toBe(model.has(`${(lo ^ 1) >>> 0}:${hi}`));
        }
        expect(s.size).toBe(model.size);
      }),
    );
  });

  it('page numbers from the two halves match BigInt arithmetic for every page size', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 63 }), (addr, shift) => {
        const lo = Number(addr & 0xffffffffn);
        const hi = Number(addr >> 32n);
        const page = addr >> BigInt(shift);
        expect(pageLo(lo, hi, shift)).toBe(Number(page & 0xffffffffn));
        expect(pageHi(hi, shift)).toBe(Number(page >> 32n));
        expect(pageHex(pageLo(lo, hi, shift), pageHi(hi, shift), shift)).toBe(`0x${((addr >> BigInt(shift)) << BigInt(shift)).toString(16)}`);
      }),
    );
  });
});
