import type { ChalkInstance } from 'chalk';
import type { AnalysisResult, VariantName } from '../../replay/result.js';
import { renderTable, type Column } from './table.js';
import { formatCount, formatDuration, formatPercent } from '../../units.js';
import { renderHistogram } from './histogram.js';
import { selectVcpus, selectionNotes, type VcpuKeys, type VcpuReportOptions } from '../../report/vcpu-selection.js';
import { describeWindow } from '../../replay/window.js';

export const VARIANT_TITLES: Record<VariantName, string> = {
  mutex: 'mutex: QEMU 10.1+ accounting, under the page-request mutex',
  atomic: 'atomic: QEMU 2.12-10.0 lock-free accounting (ms clock, one slot per vCPU)',
  exact: 'exact: the union of every wait the trace shows',
};

/** The vCPUs shown (cut by default to the `top` vCPUs by blocktime); `tidOf` names each vCPU's thread, for --tid. */
export interface AnalysisReportOptions extends VcpuReportOptions {
  tidOf?: (cpu: number) => number | undefined;
}

/** The human report of `analyze`: every figure of the JSON contract, laid out for reading. */
export function renderAnalysis(r: AnalysisResult, opts: AnalysisReportOptions, c: ChalkInstance): string {
  const out: string[] = [];
  const heading = (s: string): void => {
    out.push('', c.bold(s));
  };
  const events = r.events.vcpu + r.events.fault + r.events.resolve;
  out.push(c.bold(`blocktime analyze  ${opts.file}`));
  if (r.window) out.push(describeWindow(r.window));
  out.push(
    `  ${c.dim('variant')}    ${VARIANT_TITLES[r.variant]}`,
    `  ${c.dim('vCPUs')}      ${formatCount(r.vcpus)}   ${c.dim('page size')} ${formatCount(r.page_size)}`,
    `  ${c.dim('events')}     ${formatCount(events)}  ${c.dim(
      `(${formatCount(r.events.vcpu)} vcpu, ${formatCount(r.events.fault)} fault, ${formatCount(r.events.resolve)} resolve)`,
    )}`,
  );

  heading('Blocktime per vCPU');
  for (const line of vcpuTable(r, opts, c)) out.push(line);

  out.push('');
  out.push(
    `  ${c.bold('Total blocktime')} ${c.dim('(all vCPUs blocked at once)')}  ${c.bold.yellow(formatDuration(r.total_blocktime_ns))}`,
  );
  const nonVcpu = r.variant === 'atomic' ? 'not tracked by this design' : nonVcpuLine(r);
  out.push(`  ${c.bold('Non-vCPU faults')}  ${nonVcpu}`);
  out.push(`  ${c.dim('faults')}  ${faultsLine(r)}`);

  // The atomic design kept no latency figures at all: nothing to draw.
  if (r.variant !== 'atomic') {
    heading(r.variant === 'exact' ? 'Fault latency (each wait, log2 buckets)' : 'Fault latency (QEMU histogram, every resolved fault)');
    const hist = renderHistogram(r.latency_buckets, c);
    for (const line of hist.length > 0 ? hist : [`  ${c.dim('no fault was resolved')}`]) out.push(line);
  }
  if (r.latency) {
    const o = r.latency.overall;
    out.push(
      `  ${c.dim('overall')}  count ${formatCount(o.count)}  mean ${formatDuration(o.mean_ns)}  p50 ${formatDuration(o.p50_ns)}  p90 ${formatDuration(
        o.p90_ns,
      )}  p99 ${formatDuration(o.p99_ns)}  p99.9 ${formatDuration(o.p999_ns)}  max ${formatDuration(o.max_ns)}`,
    );
  }

  if (r.qemu) {
    heading('What QEMU would report (query-migrate)');
    for (const line of qemuLines(r, c)) out.push(line);
  }
  if (r.diagnostics) {
    heading('Design diagnostics');
    const d = r.diagnostics;
    out.push(
      diag(c, d.overwritten, 'overwritten', 'faults that replaced a pending fault of the same vCPU (its wait is lost)'),
      diag(c, d.erased, 'erased', 'faults on an already received page, injected then erased'),
      diag(c, d.lost_blocked_vcpu, 'lost blocked vCPU', 'erases that dropped a vCPU still blocked on an earlier page'),
      diag(c, d.ignored_non_vcpu, 'ignored non-vCPU', 'faults of other threads, which this design does not track'),
    );
  }

  heading('Anomalies');
  for (const line of anomalyLines(r, c)) out.push(line);
  if (r.open_at_end) {
    heading('Open at end of trace');
    out.push(
      r.open_at_end.count === 0
        ? `  ${c.green('none')}`
        : `  ${c.yellow(formatCount(r.open_at_end.count))} waits never ended; the oldest had lasted ${formatDuration(
            r.open_at_end.max_age_ns,
          )} at the last event ${c.dim('(left out of the figures above)')}`,
    );
  }
  return out.join('\n') + '\n';
}

function vcpuTable(r: AnalysisResult, opts: AnalysisReportOptions, c: ChalkInstance): string[] {
  const exact = r.latency?.vcpu;
  const columns: Column[] = [
    { header: 'vCPU', align: 'right' },
    { header: 'faults', align: 'right' },
    { header: 'blocktime', align: 'right' },
    { header: 'share', align: 'right' },
    { header: exact ? 'mean' : 'per fault', align: 'right' },
  ];
  if (exact) columns.push({ header: 'p50', align: 'right' }, { header: 'p99', align: 'right' }, { header: 'p99.9', align: 'right' }, { header: 'max', align: 'right' });
  const sumBlocked = r.vcpu_blocktime_ns.reduce((a, b) => a + b, 0);
  const row = (i: number): string[] => {
    const cells = [String(i), formatCount(r.vcpu_faults[i] ?? 0), formatDuration(r.vcpu_blocktime_ns[i] ?? 0), formatPercent(r.vcpu_blocktime_ns[i] ?? 0, sumBlocked)];
    if (exact) {
      const s = exact[i]!;
      cells.push(formatDuration(s.mean_ns), formatDuration(s.p50_ns), formatDuration(s.p99_ns), formatDuration(s.p999_ns), formatDuration(s.max_ns));
    } else {
      cells.push(formatDuration(perFault(r, i)));
    }
    return cells;
  };
  const sel = selectVcpus(r.vcpus, opts, analysisKeys(r, opts.tidOf));
  const rows = sel.shown.map(row);
  const separatorBefore: number[] = [];
  if (sel.rest) {
    let faults = 0;
    let blocked = 0;
    for (const i of sel.rest) {
      faults += r.vcpu_faults[i] ?? 0;
      blocked += r.vcpu_blocktime_ns[i] ?? 0;
    }
    separatorBefore.push(rows.length);
    rows.push([`${formatCount(sel.rest.length)} more`, formatCount(faults), formatDuration(blocked), formatPercent(blocked, sumBlocked), '']);
  }
  const faultsSum = r.vcpu_faults.reduce((a, b) => a + b, 0);
  const sumRow = ['sum', formatCount(faultsSum), formatDuration(sumBlocked), sumBlocked > 0 ? '100.0%' : '0.0%'];
  if (!exact) sumRow.push(formatDuration(faultsSum > 0 ? Math.floor(sumBlocked / faultsSum) : 0));
  separatorBefore.push(rows.length);
  rows.push(sumRow);
  const lines = renderTable(columns, rows, { separatorBefore, styleHeader: (s) => c.dim(s) });
  for (const note of selectionNotes(sel, r.vcpus)) lines.push(c.dim(note));
  if (sel.rest) lines.push(spreadLine(r, sel.kept, c));
  lines.push(c.dim('  sum: the per-vCPU figures added up over every vCPU'));
  if (r.variant === 'mutex') lines.push(c.dim('  per fault: blocktime divided by faults, as QEMU reports its vCPU latency'));
  if (r.variant === 'atomic') lines.push(c.dim('  per fault: blocktime divided by faults (this design reported no latency)'));
  return lines;
}

/** What --sort and --top rank an analyze table by. */
export function analysisKeys(r: AnalysisResult, tidOf?: (cpu: number) => number | undefined): VcpuKeys {
  return {
    blocktime: (i) => r.vcpu_blocktime_ns[i] ?? 0,
    faults: (i) => r.vcpu_faults[i] ?? 0,
    latency: (i) => r.latency?.vcpu[i]?.mean_ns ?? perFault(r, i),
    ...(tidOf ? { tidOf } : {}),
  };
}

/** Min, median and max of the blocktimes of the vCPUs in the table (`kept`, or all): the shape of a large VM at a glance. */
function spreadLine(r: AnalysisResult, kept: readonly number[] | undefined, c: ChalkInstance): string {
  const b = r.vcpu_blocktime_ns;
  const cpus = kept ?? b.map((_, i) => i);
  // Ties name the lowest vCPU index (the sort is stable and `cpus` ascending).
  const sorted = [...cpus].sort((x, y) => b[x]! - b[y]!);
  const lo = sorted[0]!;
  const hi = sorted.filter((i) => b[i] === b[sorted[sorted.length - 1]!])[0]!;
  const median = b[sorted[Math.floor((sorted.length - 1) / 2)]!]!;
  return `  ${c.dim('per vCPU')}  min ${formatDuration(b[lo]!)} (vCPU ${lo})  median ${formatDuration(median)}  max ${formatDuration(b[hi]!)} (vCPU ${hi})`;
}

function perFault(r: AnalysisResult, i: number): number {
  const q = r.qemu?.['postcopy-vcpu-latency']?.[i];
  if (q !== undefined) return q;
  const f = r.vcpu_faults[i] ?? 0;
  return f > 0 ? Math.floor((r.vcpu_blocktime_ns[i] ?? 0) / f) : 0;
}

function nonVcpuLine(r: AnalysisResult): string {
  if (r.non_vcpu_faults === 0) return 'none';
  const mean = r.latency ? r.latency.non_vcpu.mean_ns : Math.floor(r.non_vcpu_blocktime_ns / r.non_vcpu_faults);
  return `${formatCount(r.non_vcpu_faults)} faults, ${formatDuration(r.non_vcpu_blocktime_ns)} waited, mean ${formatDuration(mean)}`;
}

function faultsLine(r: AnalysisResult): string {
  const f = r.faults;
  const parts = [`${formatCount(f.counted)} counted`];
  if (f.no_tid > 0) parts.push(`${formatCount(f.no_tid)} without thread id (ignored)`);
  if (f.already_received > 0) parts.push(`${formatCount(f.already_received)} on received pages (ignored)`);
  if (f.non_vcpu > 0) parts.push(`${formatCount(f.non_vcpu)} from non-vCPU threads`);
  parts.push(`${formatCount(f.unresolved)} unresolved`);
  return parts.join(', ');
}

function qemuLines(r: AnalysisResult, c: ChalkInstance): string[] {
  const q = r.qemu!;
  const label = (s: string): string => c.dim(s.padEnd(26));
  const lines = [`  ${label('postcopy-blocktime')}${q['postcopy-blocktime']} ms`];
  lines.push(`  ${label('postcopy-vcpu-blocktime')}${listPreview(q['postcopy-vcpu-blocktime'])} ms`);
  if (q['postcopy-latency'] !== undefined) lines.push(`  ${label('postcopy-latency')}${q['postcopy-latency']} ns`);
  if (q['postcopy-vcpu-latency']) lines.push(`  ${label('postcopy-vcpu-latency')}${listPreview(q['postcopy-vcpu-latency'])} ns`);
  if (q['postcopy-non-vcpu-latency'] !== undefined) lines.push(`  ${label('postcopy-non-vcpu-latency')}${q['postcopy-non-vcpu-latency']} ns`);
  return lines;
}

/** A QEMU list as QEMU prints it, cut for very large VMs (the JSON has all of it). */
function listPreview(xs: readonly number[], max = 16): string {
  if (xs.length <= max) return `[${xs.join(', ')}]`;
  return `[${xs.slice(0, max).join(', ')}, ... ${xs.length - max} more]`;
}

function diag(c: ChalkInstance, n: number, name: string, what: string): string {
  const count = formatCount(n).padStart(10);
  return `  ${n > 0 ? c.yellow(count) : count}  ${name.padEnd(18)} ${c.dim(what)}`;
}

/** The result's anomalies, one line each, or `none`; `compare` lists them per design. */
export function anomalyLines(r: AnalysisResult, c: ChalkInstance): string[] {
  const a = r.anomalies;
  const items: Array<[number, string]> = [
    [a.negative_duration, 'resolves earlier than their fault (counted as 0 ns)'],
    [a.over_255_outstanding, 'faults beyond 255 outstanding on one vCPU (QEMU would assert)'],
    [a.time_out_of_range, 'timestamps more than 2^53 ns from the first row'],
  ];
  const lines = items.filter(([n]) => n > 0).map(([n, what]) => `  ${c.red(formatCount(n).padStart(10))}  ${what}`);
  if (a.resolve_without_fault > 0) {
    // In the atomic design a resolve also finds nothing when the fault's slot was overwritten or erased.
    const what =
      r.variant === 'atomic'
        ? 'resolves that found no vCPU slot on their page (background placements, overwritten or erased faults)'
        : 'placements of pages no fault asked for (background copy: normal)';
    lines.push(`  ${formatCount(a.resolve_without_fault).padStart(10)}  ${c.dim(what)}`);
  }
  return lines.length > 0 ? lines : [`  ${c.green('none')}`];
}
