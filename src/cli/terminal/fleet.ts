/**
 * The terminal report of `analyze` and `compare` over many traces: one row
 * per trace in the chosen order, the failed traces with their one-line
 * error, then the fleet in a few lines (distributions across traces).
 */
import type { ChalkInstance } from 'chalk';
import type { FleetSummary, Distribution, TraceFigures } from '../../fleet/summary.js';
import type { TraceDone, TraceFailed, FleetMode } from '../../fleet/trace-task.js';
import { formatCount, formatDuration, formatSizeCompact } from '../../units.js';
import { renderTable, type Column } from './table.js';

export interface FleetReportOptions {
  mode: FleetMode;
  /** analyze's design (compare's rows show `exact`). */
  design: string;
  /** How the rows are ordered, for the heading. */
  sort: string;
  /** Traces that replayed, of which `ranked` are shown. */
  replayed: number;
}

export function renderFleet(
  ranked: ReadonlyArray<{ outcome: TraceDone; figures: TraceFigures }>,
  failed: readonly TraceFailed[],
  summary: FleetSummary,
  opts: FleetReportOptions,
  c: ChalkInstance,
): string {
  const out: string[] = [];
  const compare = opts.mode === 'compare';
  out.push(c.bold(`blocktime ${opts.mode}  ${formatCount(summary.traces)} traces`) + c.dim(`  (${opts.design} design, worst first by ${opts.sort})`));
  out.push('');
  const columns: Column[] = [
    { header: 'trace', align: 'left' },
    { header: 'source', align: 'left' },
    { header: 'vCPUs', align: 'right' },
    { header: 'page', align: 'right' },
    { header: 'events', align: 'right' },
    { header: 'all down', align: 'right' },
    { header: 'vCPU sum', align: 'right' },
    { header: 'worst vCPU', align: 'right' },
    { header: 'p99 latency', align: 'right' },
    { header: 'anomalies', align: 'right' },
  ];
  if (compare) columns.push({ header: 'mutex err', align: 'right' }, { header: 'atomic err', align: 'right' });
  const rows = ranked.map(({ outcome: o, figures: f }) => {
    const row = [
      o.trace,
      o.trace_meta.source,
      String(o.trace_meta.vcpus),
      formatSizeCompact(o.trace_meta.page_size),
      formatCount(f.events),
      formatDuration(f.total_ns),
      formatDuration(f.vcpu_sum_ns),
      `${formatDuration(f.worst_vcpu_ns)} ${c.dim(`(${f.worst_vcpu})`)}`,
      formatDuration(f.fault_p99_ns),
      f.anomalies > 0 ? c.yellow(formatCount(f.anomalies)) : '0',
    ];
    if (f.error) row.push(signed(f.error.mutex.vcpu_sum_ns), signed(f.error.atomic.vcpu_sum_ns));
    return row;
  });
  if (rows.length > 0) out.push(...renderTable(columns, rows, { styleHeader: (s) => c.dim(s) }));
  if (ranked.length < opts.replayed) out.push(c.dim(`  ... ${formatCount(opts.replayed - ranked.length)} more (--top)`));
  if (compare) out.push(c.dim('  blocktime in the exact design; err = the design\'s vCPU sum minus exact'));
  if (failed.length > 0) {
    out.push('', c.bold.red(`Failed (${failed.length})`));
    for (const f of failed) out.push(`  ${f.error}`);
  }
  out.push('', c.bold('Fleet') + c.dim(`  ${formatCount(summary.traces - summary.failed)} replayed, ${formatCount(summary.failed)} failed; across traces:`));
  const dist: Array<[string, Distribution | null, (ns: number) => string]> = [
    ['all vCPUs down', summary.total_ns, formatDuration],
    ['worst vCPU', summary.worst_vcpu_ns, formatDuration],
  ];
  if (summary.error) {
    dist.push(
      ['mutex - exact, all down', summary.error.mutex.total_ns, signed],
      ['mutex - exact, vCPU sum', summary.error.mutex.vcpu_sum_ns, signed],
      ['atomic - exact, all down', summary.error.atomic.total_ns, signed],
      ['atomic - exact, vCPU sum', summary.error.atomic.vcpu_sum_ns, signed],
    );
  }
  const distColumns: Column[] = ['', 'min', 'p50', 'p90', 'p99', 'max'].map((header, i) => ({ header, align: i === 0 ? 'left' : 'right' }));
  const distRows = dist.flatMap(([name, d, f]) => (d ? [[name, f(d.min), f(d.p50), f(d.p90), f(d.p99), f(d.max)]] : []));
  if (distRows.length > 0) out.push(...renderTable(distColumns, distRows, { styleHeader: (s) => c.dim(s) }));
  return out.join('\n') + '\n';
}

function signed(ns: number): string {
  return ns > 0 ? `+${formatDuration(ns)}` : formatDuration(ns);
}
