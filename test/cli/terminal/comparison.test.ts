import { describe, it, expect } from 'vitest';
import type { CompareResult, DesignFigure, SideBySide } from '../../../src/compare/result.js';
import type { AnalysisResult } from '../../../src/replay/result.js';
import { renderComparison } from '../../../src/cli/terminal/comparison.js';
import { plain } from '../../../src/cli/terminal/style.js';

const ms = 1_000_000;
const fig = (ns: number, exact: number): DesignFigure => ({ ns, diff_ns: ns - exact, diff_pct: exact === 0 ? (ns === 0 ? 0 : null) : ((ns - exact) / exact) * 100 });
const side = (exact: number, mutex: number, atomic: number): SideBySide => ({ exact_ns: exact, mutex: fig(mutex, exact), atomic: fig(atomic, exact) });

/** What the table leaves to the full results: here only their anomalies, which compare lists per design. */
const withAnomalies = (variant: AnalysisResult['variant'], negative_duration = 0): AnalysisResult =>
  ({ variant, anomalies: { negative_duration, over_255_outstanding: 0, resolve_without_fault: 0, time_out_of_range: 0 } }) as AnalysisResult;

/** docs/blocktime.md, Example 3: exact [15, 25] total 10, mutex [20, 25] total 15, atomic [5, 25] total 5. */
const example3: CompareResult = {
  vcpus: 2,
  page_size: 4096,
  events: { vcpu: 2, fault: 3, resolve: 3 },
  faults: { counted: 3, no_tid: 0, already_received: 0, non_vcpu: 0, unresolved: 0 },
  total: side(10 * ms, 15 * ms, 5 * ms),
  vcpu: [
    { cpu: 0, faults: 2, atomic_faults: 2, ...side(15 * ms, 20 * ms, 5 * ms) },
    { cpu: 1, faults: 1, atomic_faults: 1, ...side(25 * ms, 25 * ms, 25 * ms) },
  ],
  vcpu_sum: side(40 * ms, 45 * ms, 30 * ms),
  non_vcpu_faults: 0,
  explanation: {
    reentrant: { count: 1, ns: 10 * ms },
    mutex_dropped: { count: 1, ns: 5 * ms },
    mutex_inflated: { count: 1, ns: 10 * ms },
    overwritten: { count: 1, ns: 10 * ms },
    erased: 0,
    lost_blocked_vcpu: 0,
    ignored_non_vcpu: 0,
    ms_truncation_lost_ns: 0,
    all_down_shortened: { count: 1, ns: 5 * ms },
  },
  explain: [
    {
      row: 4,
      t_ns: '10000000',
      offset_ns: 10 * ms,
      kind: 'fault',
      vcpu: 0,
      page: '0x3000',
      mutex: 'queued; vCPU 0 now has 2 faults outstanding',
      atomic: "overwrote vCPU 0's pending fault on 0x1000 (10.000 ms lost)",
      exact: "closed vCPU 0's wait on 0x1000 after 10.000 ms; opened one on 0x3000",
    },
  ],
  results: { exact: withAnomalies('exact'), mutex: withAnomalies('mutex'), atomic: withAnomalies('atomic') },
};

describe('renderComparison', () => {
  const text = renderComparison(example3, { file: 'ex3.csv' }, plain);
  const lines = text.split('\n');

  it('puts the three designs side by side per vCPU, summed and in total, with differences from exact', () => {
    expect(lines.find((l) => /^\s+0\s/.test(l))).toMatch(/^\s+0\s+2\s+15 ms\s+20 ms\s+\+5 ms\s+\+33\.3%\s+5 ms\s+-10 ms\s+-66\.7%\s+2$/);
    expect(lines.find((l) => /^\s+1\s/.test(l))).toMatch(/^\s+1\s+1\s+25 ms\s+25 ms\s+0 ns\s+0\.0%\s+25 ms\s+0 ns\s+0\.0%\s+1$/);
    expect(lines.find((l) => /^\s+sum\s/.test(l))).toMatch(/sum\s+3\s+40 ms\s+45 ms\s+\+5 ms\s+\+12\.5%\s+30 ms\s+-10 ms\s+-25\.0%\s+3$/);
    expect(lines.find((l) => /^\s+total\s/.test(l))).toMatch(/total\s+10 ms\s+15 ms\s+\+5 ms\s+\+50\.0%\s+5 ms\s+-5 ms\s+-50\.0%$/);
  });

  it('explains the differences in words, and shows that they add up', () => {
    expect(text).toMatch(/1\s+vCPU faults ended by the vCPU faulting again.*\(33\.3% of 3 counted faults\): 10 ms/);
    expect(text).toMatch(/1\s+faults resolved while their vCPU had others outstanding: their 5 ms were never added/);
    expect(text).toMatch(/1\s+faults overwritten in their vCPU's slot by a later fault: 10 ms lost/);
    expect(text).toMatch(/all-vCPUs-down windows started late.*5 ms shorter/);
    expect(text).toMatch(/mutex - exact\s+\+5 ms = \+ 10 ms inflated - 5 ms dropped\n/);
    expect(text).toMatch(/atomic - exact\s+-10 ms = - 10 ms overwritten \+ 0 ns clock truncation\n/);
    expect(text).not.toContain('not explained');
  });

  it('lists the divergence events with what each design did', () => {
    expect(text).toContain('First 1 divergence');
    expect(text).toMatch(/row 4\s+\+10 ms\s+t_ns 10000000\s+fault\s+vCPU 0\s+page 0x3000/);
    expect(text).toMatch(/atomic\s+overwrote vCPU 0's pending fault on 0x1000/);
  });

  it('lists the anomalies of each design, as analyze does', () => {
    expect(text).toMatch(/Anomalies.*\n  exact\n  none\n  mutex\n  none\n  atomic\n  none\n/);
    const odd = { ...example3, results: { ...example3.results, exact: withAnomalies('exact', 2), mutex: withAnomalies('mutex', 2) } };
    expect(renderComparison(odd, { file: 'x' }, plain)).toMatch(/  exact\n\s+2  resolves earlier than their fault \(counted as 0 ns\)\n  mutex\n\s+2  resolves earlier/);
  });

  it('names the residual when the identities do not hold', () => {
    const off = { ...example3, vcpu_sum: side(40 * ms, 46 * ms, 30 * ms) };
    expect(renderComparison(off, { file: 'x' }, plain)).toMatch(/mutex - exact\s+\+6 ms = .*\(\+1 ms not explained/);
  });

  it('cuts a large VM to the vCPUs that differ most, with one row for the rest, unless --all', () => {
    const n = 40;
    const vcpu = Array.from({ length: n }, (_, cpu) => ({ cpu, faults: 1, atomic_faults: 1, ...side(10 * ms, 10 * ms - cpu * ms / 10, 10 * ms) }));
    const big: CompareResult = { ...example3, vcpus: n, vcpu, vcpu_sum: side(400 * ms, 400 * ms - 78 * ms, 400 * ms) };
    const cut = renderComparison(big, { file: 'x', top: 3 }, plain).split('\n');
    const firstRows = cut.slice(cut.findIndex((l) => l.includes('atomic faults')) + 2).slice(0, 3);
    expect(firstRows.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([39, 38, 37]);
    // The 37 others: exact 370 ms, mutex 370 - (0 + 0.1 + ... + 3.6) = 303.4 ms.
    expect(cut.find((l) => l.includes('37 more'))).toMatch(/37 more\s+37\s+370 ms\s+303\.4 ms\s+-66\.6 ms\s+-18\.0%\s+370 ms\s+0 ns\s+0\.0%\s+37$/);
    const all = renderComparison(big, { file: 'x', all: true }, plain);
    expect(all).not.toContain('more');
    expect(all.split('\n').filter((l) => /^\s+\d+\s+1\s/.test(l))).toHaveLength(n);
  });

  it('--cpu, --sort and --top choose the rows; sum and total stay the whole VM\'s', () => {
    const rowsOf = (t: string): number[] => t.split('\n').filter((l) => /^\s+\d+\s+\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    const one = renderComparison(example3, { file: 'x', cpu: [1] }, plain);
    expect(rowsOf(one)).toEqual([1]);
    expect(one).toMatch(/\n\s+sum\s+3\s+40 ms\s+45 ms/);
    expect(one).toContain("vCPUs 1 shown (1 of 2); the sum and total are the whole VM's");
    // exact blocktimes 15 and 25 ms: largest first.
    expect(rowsOf(renderComparison(example3, { file: 'x', sort: 'blocktime' }, plain))).toEqual([1, 0]);
    expect(rowsOf(renderComparison(example3, { file: 'x', sort: 'faults' }, plain))).toEqual([0, 1]);
    const top = renderComparison(example3, { file: 'x', sort: 'blocktime', top: 1 }, plain);
    expect(rowsOf(top)).toEqual([1]);
    expect(top).toMatch(/\n\s+1 more\s+2\s+15 ms\s+20 ms/);
  });
});
