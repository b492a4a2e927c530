import { describe, it, expect } from 'vitest';
import type { AnalysisResult, LatencyStats } from '../../../src/replay/result.js';
import { renderAnalysis } from '../../../src/cli/terminal/analysis.js';
import { plain, styleFor } from '../../../src/cli/terminal/style.js';

const ms = 1_000_000;
function buckets(entries: Record<number, number>): number[] {
  const b = new Array<number>(24).fill(0);
  for (const [k, n] of Object.entries(entries)) b[Number(k)] = n;
  return b;
}

/** docs/blocktime.md, Example 1, mutex. */
const example1Mutex: AnalysisResult = {
  variant: 'mutex',
  vcpus: 3,
  page_size: 4096,
  events: { vcpu: 3, fault: 4, resolve: 4 },
  faults: { counted: 4, no_tid: 0, already_received: 0, non_vcpu: 0, unresolved: 0 },
  total_blocktime_ns: 10 * ms,
  vcpu_blocktime_ns: [50 * ms, 40 * ms, 30 * ms],
  vcpu_faults: [2, 1, 1],
  non_vcpu_faults: 0,
  non_vcpu_blocktime_ns: 0,
  latency_buckets: buckets({ 14: 3, 15: 1 }),
  anomalies: { negative_duration: 0, over_255_outstanding: 0, resolve_without_fault: 0, time_out_of_range: 0 },
  qemu: {
    'postcopy-blocktime': 10,
    'postcopy-vcpu-blocktime': [50, 40, 30],
    'postcopy-latency': 30 * ms,
    'postcopy-vcpu-latency': [25 * ms, 40 * ms, 30 * ms],
    'postcopy-non-vcpu-latency': 0,
    'postcopy-latency-dist': buckets({ 14: 3, 15: 1 }),
  },
};

function stats(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  const pct = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? 0;
  return {
    count: s.length,
    mean_ns: s.length ? Math.floor(s.reduce((a, b) => a + b, 0) / s.length) : 0,
    p50_ns: pct(0.5),
    p90_ns: pct(0.9),
    p99_ns: pct(0.99),
    p999_ns: pct(0.999),
    max_ns: s.at(-1) ?? 0,
  };
}

/** Worked example 2, exact: cpu 0 waits 10 ms on A (ended by its fault on C) then 10 ms on C. */
const example2Exact: AnalysisResult = {
  variant: 'exact',
  vcpus: 2,
  page_size: 4096,
  events: { vcpu: 2, fault: 3, resolve: 3 },
  faults: { counted: 3, no_tid: 0, already_received: 0, non_vcpu: 0, unresolved: 0 },
  total_blocktime_ns: 15 * ms,
  vcpu_blocktime_ns: [20 * ms, 25 * ms],
  vcpu_faults: [2, 1],
  non_vcpu_faults: 0,
  non_vcpu_blocktime_ns: 0,
  latency_buckets: buckets({ 13: 2, 14: 1 }),
  anomalies: { negative_duration: 0, over_255_outstanding: 0, resolve_without_fault: 0, time_out_of_range: 0 },
  latency: { overall: stats([10 * ms, 10 * ms, 25 * ms]), non_vcpu: stats([]), vcpu: [stats([10 * ms, 10 * ms]), stats([25 * ms])] },
  open_at_end: { count: 0, max_age_ns: 0 },
};

describe('renderAnalysis', () => {
  it('lays out example 1 (mutex): header, table, total, histogram, QEMU figures', () => {
    const text = renderAnalysis(example1Mutex, { file: 'ex1.csv' }, plain);
    expect(text).toContain('blocktime analyze  ex1.csv');
    expect(text).toMatch(/vCPUs\s+3\s+page size 4,096/);
    expect(text).toMatch(/events\s+11\s+\(3 vcpu, 4 fault, 4 resolve\)/);
    const rows = text.split('\n');
    expect(rows.find((l) => /^\s+0\s/.test(l))).toMatch(/^\s+0\s+2\s+50 ms\s+41\.7%\s+25 ms$/);
    expect(rows.find((l) => /^\s+sum\s/.test(l))).toMatch(/^\s+sum\s+4\s+120 ms\s+100\.0%\s+30 ms$/);
    expect(text).toMatch(/Total blocktime \(all vCPUs blocked at once\)\s+10 ms/);
    expect(text).toContain('Non-vCPU faults  none');
    expect(text).toMatch(/\[16 ms, 32 ms\)\s+█+\s+3\s+75\.0%/);
    expect(text).toMatch(/\[32 ms, 64 ms\)\s+[█▏▎▍▌▋▊▉]+\s+1\s+25\.0%/);
    expect(text).toMatch(/postcopy-vcpu-blocktime\s+\[50, 40, 30\] ms/);
    expect(text).toMatch(/Anomalies\n\s+none/);
    expect(text).not.toContain('\x1b[');
  });

  it('adds percentiles for exact and the open intervals', () => {
    const text = renderAnalysis(example2Exact, { file: 'ex2.csv' }, plain);
    expect(text).toMatch(/vCPU\s+faults\s+blocktime\s+share\s+mean\s+p50\s+p99\s+p99\.9\s+max/);
    expect(text).toMatch(/\n\s+0\s+2\s+20 ms\s+44\.4%\s+10 ms\s+10 ms\s+10 ms\s+10 ms\s+10 ms\n/);
    expect(text).toMatch(/Total blocktime.*15 ms/);
    expect(text).toMatch(/overall\s+count 3\s+mean 15 ms\s+p50 10 ms\s+p90 25 ms\s+p99 25 ms\s+p99\.9 25 ms\s+max 25 ms/);
    expect(text).toMatch(/Open at end of trace\n\s+none/);
    expect(text).not.toContain('What QEMU would report');
  });

  it('shows the atomic design diagnostics', () => {
    const r: AnalysisResult = {
      ...example1Mutex,
      variant: 'atomic',
      qemu: { 'postcopy-blocktime': 0, 'postcopy-vcpu-blocktime': [0, 7] },
      diagnostics: { overwritten: 1, erased: 1, lost_blocked_vcpu: 1, ignored_non_vcpu: 0 },
    };
    const text = renderAnalysis(r, { file: 'ex4.csv' }, plain);
    expect(text).toMatch(/Design diagnostics\n\s+1\s+overwritten/);
    expect(text).toMatch(/1\s+lost blocked vCPU/);
    expect(text).toContain('Non-vCPU faults  not tracked by this design');
  });

  it('reports anomalies by name', () => {
    const r = { ...example1Mutex, anomalies: { negative_duration: 2, over_255_outstanding: 0, resolve_without_fault: 7, time_out_of_range: 0 } };
    const text = renderAnalysis(r, { file: 'x' }, plain);
    expect(text).toMatch(/2\s+resolves earlier than their fault/);
    expect(text).toMatch(/7\s+placements of pages no fault asked for/);
  });

  it('cuts a 512-vCPU table to the top vCPUs and a summary row, unless --all', () => {
    const n = 512;
    const blocked = Array.from({ length: n }, (_, i) => (i % 97) * ms);
    const r: AnalysisResult = {
      ...example1Mutex,
      vcpus: n,
      vcpu_blocktime_ns: blocked,
      vcpu_faults: new Array<number>(n).fill(1),
      qemu: undefined,
    };
    const text = renderAnalysis(r, { file: 'big.arrow', top: 5 }, plain);
    const lines = text.split('\n');
    const table = lines.slice(lines.findIndex((l) => /vCPU\s+faults\s+blocktime/.test(l)) + 2);
    expect(table.slice(0, 5).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([96, 193, 290, 387, 484]);
    expect(text).toMatch(/507 more\s+507\s/);
    expect(text).toMatch(/min 0 ns \(vCPU 0\)\s+median \d+ ms\s+max 96 ms \(vCPU 96\)/);
    const all = renderAnalysis(r, { file: 'big.arrow', all: true }, plain);
    expect(all.split('\n').filter((l) => /^\s+\d+\s+1\s/.test(l))).toHaveLength(n);
  });

  it('--cpu and --tid show some vCPUs; the sum row and the total stay the whole VM\'s, and a note says so', () => {
    const vcpuRows = (text: string): number[] => text.split('\n').filter((l) => /^\s+\d+\s+\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    const text = renderAnalysis(example1Mutex, { file: 'ex1.csv', cpu: [0, 2] }, plain);
    expect(vcpuRows(text)).toEqual([0, 2]);
    expect(text).toMatch(/\n\s+sum\s+4\s+120 ms\s+100\.0%\s+30 ms\n/);
    expect(text).toContain("vCPUs 0,2 shown (2 of 3); the sum and total are the whole VM's");
    expect(text).toMatch(/Total blocktime \(all vCPUs blocked at once\)\s+10 ms/);
    const tids = [4242, 4243, 4244];
    const byTid = renderAnalysis(example1Mutex, { file: 'ex1.csv', tid: [4243], tidOf: (cpu) => tids[cpu] }, plain);
    expect(vcpuRows(byTid)).toEqual([1]);
    // Both: the vCPUs both name.
    expect(vcpuRows(renderAnalysis(example1Mutex, { file: 'x', cpu: [1, 2], tid: [4242, 4243], tidOf: (cpu) => tids[cpu] }, plain))).toEqual([1]);
  });

  it('--sort orders any table, --top cuts even a small one, and the rest is summed in one row', () => {
    const vcpuRows = (text: string): number[] => text.split('\n').filter((l) => /^\s+\d+\s+\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    // Blocktimes 50, 40, 30 ms; faults 2, 1, 1; per fault 25, 40, 30 ms.
    expect(vcpuRows(renderAnalysis(example1Mutex, { file: 'x', sort: 'blocktime' }, plain))).toEqual([0, 1, 2]);
    expect(vcpuRows(renderAnalysis(example1Mutex, { file: 'x', sort: 'latency' }, plain))).toEqual([1, 2, 0]);
    expect(vcpuRows(renderAnalysis(example1Mutex, { file: 'x', sort: 'faults' }, plain))).toEqual([0, 1, 2]);
    expect(vcpuRows(renderAnalysis(example1Mutex, { file: 'x', sort: 'cpu' }, plain))).toEqual([0, 1, 2]);
    const top = renderAnalysis(example1Mutex, { file: 'x', sort: 'latency', top: 1 }, plain);
    expect(vcpuRows(top)).toEqual([1]);
    expect(top).toMatch(/\n\s+2 more\s+3\s+80 ms\s+66\.7%\s*\n/);
    expect(top).toContain('the vCPU with the longest mean wait; 2 more in one row (--all lists every vCPU)');
  });

  it('colors only when asked', () => {
    const text = renderAnalysis(example1Mutex, { file: 'ex1.csv' }, styleFor({ isTTY: false }, { FORCE_COLOR: '1' }));
    expect(text).toContain('\x1b[');
  });
});
