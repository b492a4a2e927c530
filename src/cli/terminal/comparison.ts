import type { ChalkInstance } from 'chalk';
import type { CompareResult, CompareVcpuRow, DesignFigure, DivergenceEvent, SideBySide } from '../../compare/result.js';
import { renderTable, type Column } from './table.js';
import { formatCount, formatDuration, formatDurationDelta } from '../../units.js';
import { selectVcpus, selectionNotes, type VcpuKeys, type VcpuReportOptions } from '../../report/vcpu-selection.js';
import { anomalyLines } from './analysis.js';
import { describeWindow } from '../../replay/window.js';

/** The vCPUs shown (cut by default to the `top` vCPUs with the largest differences); `tidOf` names each vCPU's thread, for --tid. */
export interface ComparisonReportOptions extends VcpuReportOptions {
  tidOf?: (cpu: number) => number | undefined;
}

/** The human report of `compare`: the three designs side by side, then what explains each difference. */
export function renderComparison(r: CompareResult, opts: ComparisonReportOptions, c: ChalkInstance): string {
  const out: string[] = [];
  const events = r.events.vcpu + r.events.fault + r.events.resolve;
  out.push(c.bold(`blocktime compare  ${opts.file}`));
  if (r.window) out.push(describeWindow(r.window));
  out.push(
    `  ${c.dim('vCPUs')}  ${formatCount(r.vcpus)}   ${c.dim('page size')} ${formatCount(r.page_size)}   ${c.dim('events')} ${formatCount(events)} ${c.dim(
      `(${formatCount(r.events.vcpu)} vcpu, ${formatCount(r.events.fault)} fault, ${formatCount(r.events.resolve)} resolve)`,
    )}`,
    `  ${c.dim('exact')}   the union of every wait the trace shows (the reference)`,
    `  ${c.dim('mutex')}   QEMU 10.1+: per-page lists under the page-request mutex`,
    `  ${c.dim('atomic')}  QEMU 2.12-10.0: one slot per vCPU, millisecond clock, no lock`,
  );

  out.push('', c.bold('Blocktime') + c.dim('  (difference from exact: negative = time the design did not report)'));
  for (const line of vcpuTable(r, opts, c)) out.push(line);

  out.push('', c.bold('What explains the differences'));
  for (const line of explanationLines(r, c)) out.push(line);

  out.push('', c.bold('Anomalies') + c.dim('  (as analyze reports them, per design)'));
  for (const design of ['exact', 'mutex', 'atomic'] as const) {
    out.push(c.dim(`  ${design}`), ...anomalyLines(r.results[design], c));
  }

  if (r.explain.length > 0) {
    out.push('', c.bold(`First ${r.explain.length} divergence${r.explain.length === 1 ? '' : 's'}`) + c.dim('  (rows are 0-based, vcpu rows included; time from the first row)'));
    for (const e of r.explain) for (const line of divergenceLines(e, c)) out.push(line);
  }
  return out.join('\n') + '\n';
}

function vcpuTable(r: CompareResult, opts: ComparisonReportOptions, c: ChalkInstance): string[] {
  const columns: Column[] = [
    { header: 'vCPU', align: 'right' },
    { header: 'faults', align: 'right' },
    { header: 'exact', align: 'right' },
    { header: 'mutex', align: 'right' },
    { header: 'Δ mutex', align: 'right' },
    { header: '%', align: 'right' },
    { header: 'atomic', align: 'right' },
    { header: 'Δ atomic', align: 'right' },
    { header: '%', align: 'right' },
    { header: 'atomic faults', align: 'right' },
  ];
  const cells = (label: string, faults: string, s: SideBySide, atomicFaults: string): string[] => [
    label,
    faults,
    formatDuration(s.exact_ns),
    ...design(s.mutex, c),
    ...design(s.atomic, c),
    atomicFaults,
  ];
  const row = (v: CompareVcpuRow): string[] => cells(String(v.cpu), formatCount(v.faults), v, formatCount(v.atomic_faults));

  const sel = selectVcpus(r.vcpus, opts, comparisonKeys(r, opts.tidOf));
  const rest = sel.rest?.map((i) => r.vcpu[i]!);
  const rows = sel.shown.map((i) => row(r.vcpu[i]!));
  const separatorBefore = [rows.length];
  if (rest) {
    const sum = (f: (v: CompareVcpuRow) => number): number => rest.reduce((a, v) => a + f(v), 0);
    const exact = sum((v) => v.exact_ns);
    const figure = (ns: number): DesignFigure => ({ ns, diff_ns: ns - exact, diff_pct: exact === 0 ? (ns === 0 ? 0 : null) : ((ns - exact) / exact) * 100 });
    rows.push(
      cells(
        `${formatCount(rest.length)} more`,
        formatCount(sum((v) => v.faults)),
        { exact_ns: exact, mutex: figure(sum((v) => v.mutex.ns)), atomic: figure(sum((v) => v.atomic.ns)) },
        formatCount(sum((v) => v.atomic_faults)),
      ),
    );
    separatorBefore.push(rows.length);
  }
  const faults = r.vcpu.reduce((a, v) => a + v.faults, 0);
  const atomicFaults = r.vcpu.reduce((a, v) => a + v.atomic_faults, 0);
  rows.push(cells('sum', formatCount(faults), r.vcpu_sum, formatCount(atomicFaults)));
  rows.push(cells('total', '', r.total, '').map((s, i) => (i === 0 ? s : c.bold(s))));
  const lines = renderTable(columns, rows, { separatorBefore, styleHeader: (s) => c.dim(s) });
  for (const note of selectionNotes(sel, r.vcpus)) lines.push(c.dim(note));
  lines.push(c.dim('  sum: the per-vCPU blocktimes added up over every vCPU; total: the time during which every vCPU was blocked at once'));
  return lines;
}

/** What --sort and --top rank a compare table by; cut without --sort, the vCPUs whose designs differ most from exact come first. */
export function comparisonKeys(r: CompareResult, tidOf?: (cpu: number) => number | undefined): VcpuKeys {
  const divergence = (i: number): number => Math.max(Math.abs(r.vcpu[i]!.mutex.diff_ns), Math.abs(r.vcpu[i]!.atomic.diff_ns));
  const exactLatency = r.results.exact.latency?.vcpu;
  return {
    blocktime: (i) => r.vcpu[i]!.exact_ns,
    faults: (i) => r.vcpu[i]!.faults,
    latency: (i) => exactLatency?.[i]?.mean_ns ?? 0,
    rank: { compare: (a, b) => divergence(b) - divergence(a) || a - b, what: 'whose designs differ most from exact' },
    ...(tidOf ? { tidOf } : {}),
  };
}

function design(d: DesignFigure, c: ChalkInstance): [string, string, string] {
  const tint = d.diff_ns < 0 ? c.red : d.diff_ns > 0 ? c.yellow : c.dim;
  const pct = d.diff_pct === null ? 'n/a' : `${d.diff_pct > 0 ? '+' : ''}${d.diff_pct.toFixed(1)}%`;
  return [formatDuration(d.ns), tint(formatDurationDelta(d.diff_ns)), tint(pct)];
}

/** The race the trace's `erase` rows show (QEMU <= 10.0 logs): where QEMU's count of blocked vCPUs drifted, and the total it cost. */
function raceLines(r: CompareResult, c: ChalkInstance): string[] {
  const d = r.results.atomic.diagnostics?.blocked_count_drift;
  if (!d) return [];
  const exactMs = Math.floor(r.results.exact.total_blocktime_ns / 1e6);
  return [
    `  ${c.yellow(formatCount(d.erases).padStart(10))}  QEMU's count of blocked vCPUs drifted at row ${d.row} (t = ${d.at_ms} ms on QEMU's clock): from then on its total blocktime could not grow; ${d.unreported_total_ms} ms of total blocktime went unreported (exact total: ${exactMs} ms)`,
  ];
}

function explanationLines(r: CompareResult, c: ChalkInstance): string[] {
  const x = r.explanation;
  const counted = r.faults.counted;
  const share = (n: number): string => (counted > 0 ? ` (${((100 * n) / counted).toFixed(1)}% of ${formatCount(counted)} counted faults)` : '');
  const line = (n: number, text: string): string => {
    const count = formatCount(n).padStart(10);
    return `  ${n > 0 ? c.yellow(count) : c.dim(count)}  ${n > 0 ? text : c.dim(text)}`;
  };
  const out = [
    c.dim('  both QEMU designs'),
    line(
      x.reentrant.count,
      `vCPU faults ended by the vCPU faulting again before the page's resolve was accounted${share(x.reentrant.count)}: ${formatDuration(
        x.reentrant.ns,
      )} of waits that both designs drop or misplace`,
    ),
    c.dim('  mutex'),
    line(x.mutex_dropped.count, `faults resolved while their vCPU had others outstanding: their ${formatDuration(x.mutex_dropped.ns)} were never added`),
    line(x.mutex_inflated.count, `faults added in full although their vCPU had faulted again first: ${formatDuration(x.mutex_inflated.ns)} too much`),
    c.dim('  atomic'),
    line(x.overwritten.count, `faults overwritten in their vCPU's slot by a later fault: ${formatDuration(x.overwritten.ns)} lost`),
    line(x.erased, 'faults on already-received pages, injected then erased'),
    line(x.lost_blocked_vcpu, 'of those erases dropped a vCPU that was still blocked on an earlier page'),
    line(x.ignored_non_vcpu, 'faults of non-vCPU threads, which this design does not track'),
    ...raceLines(r, c),
    line(
      x.all_down_shortened.count,
      `all-vCPUs-down windows started late, because a fault that did not block its vCPU anew moved last_begin: ${formatDuration(x.all_down_shortened.ns)} shorter`,
    ),
    `  ${formatDuration(Math.abs(x.ms_truncation_lost_ns)).padStart(10)}  ${
      x.ms_truncation_lost_ns >= 0 ? 'lost' : 'gained'
    } to the millisecond clock (each start and end truncated to the ms)`,
  ];
  out.push('', c.dim('  how the vCPU sums add up'));
  out.push(
    identity(
      'mutex - exact',
      r.vcpu_sum.mutex.diff_ns,
      [
        ['inflated', x.mutex_inflated.ns],
        ['dropped', -x.mutex_dropped.ns],
      ],
      c,
    ),
    identity(
      'atomic - exact',
      r.vcpu_sum.atomic.diff_ns,
      [
        ['overwritten', -x.overwritten.ns],
        ['clock truncation', -x.ms_truncation_lost_ns],
      ],
      c,
    ),
  );
  return out;
}

/** `difference = +a (name) - b (name)`, and what is left when the terms do not add up (negative durations). */
function identity(label: string, diff: number, terms: Array<[string, number]>, c: ChalkInstance): string {
  const explained = terms.reduce((a, [, ns]) => a + ns, 0);
  const parts = terms.map(([name, ns]) => `${ns < 0 ? '-' : '+'} ${formatDuration(Math.abs(ns))} ${name}`).join(' ');
  const rest = diff - explained;
  const tail = rest === 0 ? '' : c.yellow(`  (${formatDurationDelta(rest)} not explained: negative durations in the trace)`);
  return `  ${label.padEnd(15)} ${formatDurationDelta(diff)} = ${parts}${tail}`;
}

function divergenceLines(e: DivergenceEvent, c: ChalkInstance): string[] {
  const who = e.vcpu === null ? '' : e.vcpu < 0 ? '  non-vCPU thread' : `  vCPU ${e.vcpu}`;
  return [
    `  ${c.bold(`row ${formatCount(e.row)}`)}  +${formatDuration(e.offset_ns)}  ${c.dim(`t_ns ${e.t_ns}`)}  ${e.kind}${who}  page ${e.page}`,
    `      ${c.dim('mutex ')}  ${e.mutex}`,
    `      ${c.dim('atomic')}  ${e.atomic}`,
    `      ${c.dim('exact ')}  ${e.exact}`,
  ];
}
