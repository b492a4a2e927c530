/** The terminal table of `blocktime lab`. */
import type { ChalkInstance } from 'chalk';
import { renderTable, type Column } from '../report/table.js';
import { formatCount, formatDuration, formatMs, formatMsDelta } from '../report/units.js';
import { LAB_MODES, type LabCell, type LabResult, type LabRun } from './lab.js';

const COLUMNS: Column[] = [
  { header: 'vCPUs', align: 'right' },
  { header: 'res', align: 'right' },
  { header: 'latency', align: 'right' },
  { header: 'accounting', align: 'left' },
  { header: 'faults', align: 'right' },
  { header: 'round trip', align: 'right' },
  { header: 'p99', align: 'right' },
  { header: 'overhead', align: 'right' },
  { header: 'fault call', align: 'right' },
  { header: 'resolve call', align: 'right' },
  { header: 'lock hold', align: 'right' },
  { header: 'contended', align: 'right' },
  { header: 'live vs replay', align: 'left' },
];

function signedPct(p: number): string {
  return `${p >= 0 ? '+' : ''}${p.toFixed(2)}%`;
}

function versusReplay(run: LabRun, c: ChalkInstance): string {
  const a = run.accuracy;
  if (!a) return c.dim('-');
  if (run.mode === 'locking') return a.mismatches === 0 ? c.green('equal') : c.red(`${a.mismatches} fields differ`);
  return `total ${formatMsDelta(a.live_total_ns - a.replay_total_ns)} ms, sum|vcpu| ${formatMs(a.vcpu_abs_diff_ns)} ms`;
}

function cellRows(cell: LabCell, c: ChalkInstance): string[][] {
  return LAB_MODES.map((mode, i) => {
    const run = cell.runs[mode];
    const overhead = mode === 'off' ? '' : signedPct(cell.overhead_pct[mode]);
    return [
      i === 0 ? String(cell.vcpus) : '',
      i === 0 ? String(cell.resolvers) : '',
      i === 0 ? formatDuration(cell.latency_ns) : '',
      mode,
      formatCount(run.events.fault),
      formatDuration(run.round_trip.mean_ns),
      formatDuration(run.round_trip.p99_ns),
      overhead,
      `${Math.round(run.cost_ns.fault)} ns`,
      `${Math.round(run.cost_ns.resolve)} ns`,
      formatDuration(run.lock.mean_hold_ns),
      `${(100 * run.lock.contended_fraction).toFixed(1)}%`,
      versusReplay(run, c),
    ];
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function renderLab(r: LabResult, c: ChalkInstance): string {
  const rows: string[][] = [];
  const separators: number[] = [];
  for (const cell of r.cells) {
    if (rows.length > 0) separators.push(rows.length);
    rows.push(...cellRows(cell, c));
  }
  const out = renderTable(COLUMNS, rows, { separatorBefore: separators, styleHeader: (s) => c.bold(s) });
  const lockingEqual = r.cells.filter((cell) => cell.runs.locking.accuracy?.mismatches === 0).length;
  const measured = (m: 'locking' | 'atomic'): number => median(r.cells.map((cell) => cell.overhead_pct[m]));
  const direct = (m: 'locking' | 'atomic'): number => median(r.cells.map((cell) => cell.fault_path_cost_pct[m]));
  out.push('');
  out.push(
    `fault-path overhead, median over cells: locking ${signedPct(measured('locking'))} measured, ` +
      `${signedPct(direct('locking'))} from its call cost (goal < 2%); atomic-op ${signedPct(measured('atomic'))} measured, ` +
      `${signedPct(direct('atomic'))} from its call cost`,
  );
  out.push(
    (lockingEqual === r.cells.length ? c.green : c.red)(`locking design live = replay in ${lockingEqual} of ${r.cells.length} runs`) +
      c.dim(`  (${r.elapsed_s.toFixed(1)} s; round trip = a vCPU's stalled access, timed by the vCPU thread)`),
  );
  return out.join('\n') + '\n';
}
