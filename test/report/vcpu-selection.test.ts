import { describe, it, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { formatIdList, selectVcpus, selectionNotes, shownInJson, type VcpuKeys } from '../../src/report/vcpu-selection.js';

const rows = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** vCPU i has blocktime i, faults n - i, latency i % 3, thread 1000 + i. */
const keysFor = (n: number): VcpuKeys => ({
  blocktime: (i) => i,
  faults: (i) => n - i,
  latency: (i) => i % 3,
  tidOf: (i) => 1000 + i,
});

describe('selectVcpus', () => {
  it('keeps a table of up to 32 vCPUs whole, in index order', () => {
    expect(selectVcpus(32, {}, keysFor(32))).toEqual({ shown: rows(32) });
  });

  it('keeps every row with --all, or when --top covers them', () => {
    expect(selectVcpus(40, { all: true }, keysFor(40))).toEqual({ shown: rows(40) });
    expect(selectVcpus(40, { top: 40 }, keysFor(40))).toEqual({ shown: rows(40) });
  });

  it('beyond 32 vCPUs shows the top 16 as ranked (by blocktime unless the table says), and leaves the rest in their own order', () => {
    const cut = selectVcpus(40, {}, keysFor(40));
    expect(cut.shown).toEqual(rows(40).reverse().slice(0, 16));
    expect(cut.rest).toEqual(rows(24));
    expect(cut.rankedBy).toBe('with the most blocktime');
    const ranked = selectVcpus(40, {}, { ...keysFor(40), rank: { compare: (a, b) => a - b, what: 'first' } });
    expect(ranked.shown).toEqual(rows(16));
    expect(ranked.rankedBy).toBe('first');
  });

  it('--top cuts any table, in --sort order when given', () => {
    expect(selectVcpus(33, { top: 3 }, keysFor(33))).toEqual({ shown: [32, 31, 30], rest: rows(30), rankedBy: 'with the most blocktime' });
    expect(selectVcpus(5, { top: 2, sort: 'faults' }, keysFor(5))).toEqual({ shown: [0, 1], rest: [2, 3, 4], rankedBy: 'with the most faults' });
  });

  it('--sort: largest first, ties by index; cpu ascending', () => {
    expect(selectVcpus(6, { sort: 'latency' }, keysFor(6)).shown).toEqual([2, 5, 1, 4, 0, 3]);
    expect(selectVcpus(4, { sort: 'blocktime' }, keysFor(4)).shown).toEqual([3, 2, 1, 0]);
    expect(selectVcpus(4, { sort: 'cpu' }, keysFor(4)).shown).toEqual([0, 1, 2, 3]);
  });

  it('--cpu and --tid keep vCPUs (both: those both name), and cut among them', () => {
    expect(selectVcpus(64, { cpu: [0, 3, 8, 9] }, keysFor(64))).toEqual({ kept: [0, 3, 8, 9], shown: [0, 3, 8, 9] });
    expect(selectVcpus(64, { tid: [1005, 1001] }, keysFor(64)).shown).toEqual([1, 5]);
    expect(selectVcpus(64, { cpu: [1, 2, 3], tid: [1002, 1003, 1009] }, keysFor(64)).shown).toEqual([2, 3]);
    expect(selectVcpus(64, { cpu: [1, 2, 3], top: 1, sort: 'blocktime' }, keysFor(64))).toEqual({ kept: [1, 2, 3], shown: [3], rest: [1, 2], rankedBy: 'with the most blocktime' });
  });

  it('refuses a vCPU or thread the trace does not have, and --all with --top', () => {
    expect(() => selectVcpus(8, { cpu: [9] }, keysFor(8))).toThrow(new UsageError('--cpu: vCPU 9 is not in this trace; expected vCPUs from 0 to 7'));
    expect(() => selectVcpus(8, { tid: [42] }, keysFor(8))).toThrow(UsageError);
    expect(() => selectVcpus(8, { cpu: [1], tid: [1002] }, keysFor(8))).toThrow(/no vCPU in common/);
    expect(() => selectVcpus(8, { all: true, top: 2 }, keysFor(8))).toThrow(/--all or --top/);
  });
});

describe('selectionNotes', () => {
  it('says which vCPUs are shown, that sums and totals are the VM\'s, and how a cut ranks', () => {
    const sel = selectVcpus(64, { cpu: [0, 3, 8, 9, 10, 11], top: 2 }, keysFor(64));
    expect(selectionNotes(sel, 64)).toEqual([
      "  vCPUs 0,3,8-11 shown (6 of 64); the sum and total are the whole VM's",
      '  the 2 vCPUs with the most blocktime; 4 more in one row (--all lists every vCPU)',
    ]);
    expect(selectionNotes(selectVcpus(4, {}, keysFor(4)), 4)).toEqual([]);
  });
});

describe('shownInJson', () => {
  it('is undefined unless asked; never cuts by default; --top drops the rest', () => {
    expect(shownInJson(64, {}, keysFor(64))).toBeUndefined();
    expect(shownInJson(64, { all: true }, keysFor(64))).toBeUndefined();
    expect(shownInJson(64, { sort: 'faults' }, keysFor(64))).toEqual(rows(64));
    expect(shownInJson(64, { top: 2 }, keysFor(64))).toEqual([63, 62]);
    expect(shownInJson(64, { cpu: [1, 5] }, keysFor(64))).toEqual([1, 5]);
  });
});

describe('formatIdList', () => {
  it('writes runs as ranges, as --cpu reads them', () => {
    expect(formatIdList([0, 3, 8, 9, 10, 15])).toBe('0,3,8-10,15');
    expect(formatIdList([7])).toBe('7');
  });
});
