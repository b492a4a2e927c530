/** The terminal table of `blocktime lab`: one block per cell, one row per accounting mode (medians over repeats). */
import type { ChalkInstance } from 'chalk';
import { LAB_MODES, median, type LabCell, type LabResult } from '../../lab/lab.js';
import { renderTable, type Column } from './table.js';
import { formatCount, formatDuration } from '../../units.js';
import { formatHistPercentile } from './hist-percentile.js';

const COLUMNS: Column[] = [
  { header: 'vCPUs', align: 'right' },
  { header: 'res', align: 'right' },
  { header: 'latency', align: 'right' },
  { header: 'accounting', align: 'left' },
  { header: 'faults', align: 'right' },
  { header: 'round trip p50', align: 'right' },
  { header: 'mean', align: 'right' },
  { header: 'p99', align: 'right' },
  { header: 'overhead', align: 'right' },
  { header: 'fault call', align: 'right' },
  { header: 'resolve call', align: 'right' },
  { header: 'hold p50', align: 'right' },
  { header: 'contended', align: 'right' },
  { header: 'of true', align: 'right' },
  { header: 'live vs replay', align: 'left' },
];

function signedPct(p: number): string {
  return `${p >= 0 ? '+' : ''}${p.toFixed(2)}%`;
}

function versusReplay(cell: LabCell, mode: (typeof LAB_MODES)[number], repeat: number, c: ChalkInstance): string {
  if (mode === 'off') return c.dim('-');
  if (mode === 'locking') return cell.locking_equal === repeat ? c.green(`equal (${repeat}/${repeat})`) : c.red(`differs in ${repeat - cell.locking_equal}/${repeat} runs`);
  const a = cell.atomic_vs_replay;
  return `|total| ${formatDuration(a.total_abs_diff_ns)}, sum|vCPU| ${formatDuration(a.vcpu_abs_diff_ns)}`;
}

function cellRows(cell: LabCell, repeat: number, c: ChalkInstance): string[][] {
  return LAB_MODES.map((mode, i) => {
    const s = cell.summary[mode];
    return [
      i === 0 ? formatCount(cell.vcpus) : '',
      i === 0 ? formatCount(cell.resolvers) : '',
      i === 0 ? formatDuration(cell.latency_ns) : '',
      mode,
      formatCount(s.faults),
      formatDuration(s.round_trip_p50_ns),
      formatDuration(s.round_trip_mean_ns),
      formatDuration(s.round_trip_p99_ns),
      mode === 'off' ? '' : signedPct(cell.overhead_pct[mode]),
      formatHistPercentile(s.fault_call_p50_ns),
      formatHistPercentile(s.resolve_call_p50_ns),
      formatHistPercentile(s.fault_hold_p50_ns),
      `${(100 * s.contended_fraction).toFixed(1)}%`,
      `${mode === 'off' ? 'exact ' : ''}${(100 * s.share_of_true).toFixed(1)}%`,
      versusReplay(cell, mode, repeat, c),
    ];
  });
}

export function renderLab(r: LabResult, c: ChalkInstance): string {
  const rows: string[][] = [];
  const separators: number[] = [];
  for (const cell of r.cells) {
    if (rows.length > 0) separators.push(rows.length);
    for (const row of cellRows(cell, r.settings.repeat, c)) rows.push(row);
  }
  const out = renderTable(COLUMNS, rows, { separatorBefore: separators, styleHeader: (s) => c.bold(s) });
  const measured = (m: 'locking' | 'atomic'): number => median(r.cells.map((cell) => cell.overhead_pct[m]));
  const direct = (m: 'locking' | 'atomic'): number => median(r.cells.map((cell) => cell.fault_path_cost_pct[m]));
  const equal = r.cells.reduce((n, cell) => n + cell.locking_equal, 0);
  const runs = r.cells.length * r.settings.repeat;
  out.push('');
  out.push(c.dim('  round trip: a vCPU access that faulted, timed by the vCPU thread; calls and holds: medians, each with one clock reading'));
  out.push(c.dim('  of true: per-vCPU blocktime the design reported live (off: what exact replays) over what the vCPU threads timed'));
  out.push(
    `fault-path overhead (median over cells): locking ${signedPct(direct('locking'))} by its call cost, ${signedPct(measured('locking'))} measured; ` +
      `atomic-op ${signedPct(direct('atomic'))} by its call cost, ${signedPct(measured('atomic'))} measured  (goal for locking: < 2%)`,
  );
  out.push((equal === runs ? c.green : c.red)(`locking design live = replay in ${formatCount(equal)} of ${formatCount(runs)} runs`) + c.dim(`  (${formatDuration(Math.round(r.elapsed_s * 1e9))})`));
  return out.join('\n') + '\n';
}
