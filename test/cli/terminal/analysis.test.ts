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
    expect(text).toMatch(/vCPUs\s+3\s+page size 4096/);
    expect(text).toMatch(/events\s+11\s+\(3 vcpu, 4 fault, 4 resolve\)/);
    const rows = text.split('\n');
    expect(rows.find((l) => /^\s+0\s/.test(l))).toMatch(/^\s+0\s+2\s+50\.000\s+41\.7%\s+25\.000$/);
    expect(rows.find((l) => /^\s+all\s/.test(l))).toMatch(/^\s+all\s+4\s+120\.000\s+100\.0%\s+30\.000$/);
    expect(text).toMatch(/Total blocktime \(all vCPUs blocked at once\)\s+10\.000 ms/);
    expect(text).toContain('Non-vCPU faults  none');
    expect(text).toMatch(/\[16 ms, 32 ms\)\s+█+\s+3\s+75\.0%/);
    expect(text).toMatch(/\[32 ms, 64 ms\)\s+[█▏▎▍▌▋▊▉]+\s+1\s+25\.0%/);
    expect(text).toMatch(/postcopy-vcpu-blocktime\s+\[50, 40, 30\] ms/);
    expect(text).toMatch(/Anomalies\n\s+none/);
    expect(text).not.toContain('\x1b[');
  });

  it('adds percentiles for exact and the open intervals', () => {
    const text = renderAnalysis(example2Exact, { file: 'ex2.csv' }, plain);
    expect(text).toMatch(/vCPU\s+faults\s+blocktime ms\s+share\s+mean ms\s+p50 ms\s+p99 ms\s+max ms/);
    expect(text).toMatch(/\n\s+0\s+2\s+20\.000\s+44\.4%\s+10\.000\s+10\.000\s+10\.000\s+10\.000\n/);
    expect(text).toMatch(/Total blocktime.*15\.000 ms/);
    expect(text).toMatch(/all faults\s+count 3\s+mean 15\.000 ms\s+p50 10\.000 ms\s+p90 25\.000 ms/);
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
    const table = lines.slice(lines.findIndex((l) => l.includes('blocktime ms')) + 2);
    expect(table.slice(0, 5).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([96, 193, 290, 387, 484]);
    expect(text).toMatch(/507 more\s+507\s/);
    expect(text).toMatch(/min 0\.000 ms \(vCPU 0\)\s+median \d+\.000 ms\s+max 96\.000 ms \(vCPU 96\)/);
    const all = renderAnalysis(r, { file: 'big.arrow', all: true }, plain);
    expect(all.split('\n').filter((l) => /^\s+\d+\s+1\s/.test(l))).toHaveLength(n);
  });

  it('colors only when asked', () => {
    const text = renderAnalysis(example1Mutex, { file: 'ex1.csv' }, styleFor({ isTTY: false }, { FORCE_COLOR: '1' }));
    expect(text).toContain('\x1b[');
  });
});
