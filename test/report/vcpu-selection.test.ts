import { describe, it, expect } from 'vitest';
import { cutVcpuRows } from '../../../src/cli/terminal/vcpu-cut.js';

const rows = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const biggestFirst = (a: number, b: number): number => b - a;

describe('cutVcpuRows', () => {
  it('keeps a table of up to 32 vCPUs whole, in its order', () => {
    expect(cutVcpuRows(rows(32), { file: 'f', top: 4 }, biggestFirst)).toEqual({ shown: rows(32) });
  });

  it('keeps every row with --all, or when top covers them', () => {
    expect(cutVcpuRows(rows(40), { file: 'f', all: true }, biggestFirst)).toEqual({ shown: rows(40) });
    expect(cutVcpuRows(rows(40), { file: 'f', top: 40 }, biggestFirst)).toEqual({ shown: rows(40) });
  });

  it('beyond 32 vCPUs shows the top 16 (or --top) as ranked, and leaves the rest in their own order', () => {
    const cut = cutVcpuRows(rows(40), { file: 'f' }, biggestFirst);
    expect(cut.shown).toEqual(rows(40).reverse().slice(0, 16));
    expect(cut.rest).toEqual(rows(24));
    const top3 = cutVcpuRows(rows(33), { file: 'f', top: 3 }, biggestFirst);
    expect(top3).toEqual({ shown: [32, 31, 30], rest: rows(30) });
  });
});
