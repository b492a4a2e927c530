/** The terminal report of `capture --native`: live figures next to the replay of the capture's own trace. */
import type { ChalkInstance } from 'chalk';
import type { NativeCaptureReport } from '../../capture/native/capture.js';
import { renderTable, type Column } from './table.js';
import type { VcpuRow } from '../../capture/native/live-report.js';
import { formatCount, formatDuration, formatDurationDelta, formatPercent } from '../../units.js';
import type { VcpuOptionValues } from '../options/vcpu-options.js';
import { formatHistPercentile } from './hist-percentile.js';
import { selectVcpus, selectionNotes, type VcpuKeys } from '../../report/vcpu-selection.js';

const COLUMNS: Column[] = [
  { header: 'vCPU', align: 'right' },
  { header: 'tid', align: 'right' },
  { header: 'stalls', align: 'right' },
  { header: 'true', align: 'right' },
  { header: 'exact', align: 'right' },
  { header: 'mutex live', align: 'right' },
  { header: 'replay', align: 'right' },
  { header: 'atomic live', align: 'right' },
  { header: 'replay', align: 'right' },
];

/** What --sort and --top rank the capture's table by: the time each vCPU thread timed itself. */
export function nativeCaptureKeys(rows: readonly VcpuRow[]): VcpuKeys {
  return {
    blocktime: (i) => rows[i]!.true_ns,
    faults: (i) => rows[i]!.stalls,
    latency: (i) => (rows[i]!.stalls > 0 ? rows[i]!.true_ns / rows[i]!.stalls : 0),
    tidOf: (i) => rows[i]!.tid,
  };
}

export function renderNativeCapture(r: NativeCaptureReport, opts: VcpuOptionValues, c: ChalkInstance): string {
  const cmp = r.comparison;
  const o = r.options;
  const out: string[] = [];
  out.push(
    c.bold(`native capture: ${r.trace}`) +
      `  ${formatCount(r.rows)} rows (${formatCount(cmp.events.fault)} faults, ${formatCount(cmp.events.resolve)} resolves)` +
      `, ${formatDuration(cmp.duration_ns)}`,
  );
  out.push(
    `  ${formatCount(o.vcpus)} vCPUs, ${formatCount(o.resolvers)} resolver${o.resolvers > 1 ? 's' : ''}, ${o.pattern}, latency ${formatDuration(o.latencyNs)}, ` +
      `pages placed: ${formatCount(cmp.placed.requested)} requested, ${formatCount(cmp.placed.streamed)} streamed`,
  );
  out.push('');
  const figures = (v: Omit<VcpuRow, 'cpu' | 'tid' | 'stalls'>): string[] =>
    [v.true_ns, v.exact_ns, v.mutex_live_ns, v.mutex_replay_ns, v.atomic_live_ns, v.atomic_replay_ns].map(formatDuration);
  const sel = selectVcpus(cmp.per_vcpu.length, opts, nativeCaptureKeys(cmp.per_vcpu));
  const rows = sel.shown.map((i) => {
    const v = cmp.per_vcpu[i]!;
    return [String(v.cpu), String(v.tid), formatCount(v.stalls), ...figures(v)];
  });
  const sumOf = (vs: readonly VcpuRow[]): Omit<VcpuRow, 'cpu' | 'tid'> => {
    const add = (f: (v: VcpuRow) => number): number => vs.reduce((a, v) => a + f(v), 0);
    return {
      stalls: add((v) => v.stalls),
      true_ns: add((v) => v.true_ns),
      exact_ns: add((v) => v.exact_ns),
      mutex_live_ns: add((v) => v.mutex_live_ns),
      mutex_replay_ns: add((v) => v.mutex_replay_ns),
      atomic_live_ns: add((v) => v.atomic_live_ns),
      atomic_replay_ns: add((v) => v.atomic_replay_ns),
    };
  };
  const separatorBefore: number[] = [];
  if (sel.rest) {
    const rest = sumOf(sel.rest.map((i) => cmp.per_vcpu[i]!));
    separatorBefore.push(rows.length);
    rows.push([`${formatCount(sel.rest.length)} more`, '', formatCount(rest.stalls), ...figures(rest)]);
  }
  const sum = sumOf(cmp.per_vcpu);
  separatorBefore.push(rows.length);
  rows.push(['sum', '', formatCount(sum.stalls), ...figures(sum)]);
  rows.push(['total', '', '', ...figures(cmp.total)]);
  for (const line of renderTable(COLUMNS, rows, { separatorBefore, styleHeader: (s) => c.bold(s) })) out.push(line);
  for (const note of selectionNotes(sel, cmp.per_vcpu.length)) out.push(c.dim(note));
  out.push(c.dim('  true: each vCPU thread timed its own stalled accesses; sum: added up over every vCPU; total: the time every vCPU was down at once'));
  out.push('');
  if (cmp.mutex_live_equals_replay) {
    out.push(c.green('locking design: live = replay, field by field'));
  } else {
    out.push(c.red(`locking design: live and replay differ in ${cmp.mutex_mismatches.length} fields: ${cmp.mutex_mismatches.slice(0, 5).join('; ')}`));
  }
  const a = cmp.atomic_live_minus_replay;
  const d = a.diagnostics;
  out.push(
    `atomic-op design, live - replay (races and its own clock): total ${formatDurationDelta(a.total_ns)}, ` +
      `per vCPU [${a.vcpu_ns.map(formatDurationDelta).join(', ')}]`,
  );
  out.push(
    `  overwritten ${formatCount(d.overwritten.live)}/${formatCount(d.overwritten.replay)}, erased ${formatCount(d.erased.live)}/${formatCount(d.erased.replay)}, ` +
      `lost blocked vCPU ${formatCount(d.lost_blocked_vcpu.live)}/${formatCount(d.lost_blocked_vcpu.replay)} (live/replay)`,
  );
  const lat = cmp.fault_latency;
  out.push(
    `fault round trip (vCPU view): ${formatCount(lat.count)} stalls, mean ${formatDuration(lat.meanNs)}, ` +
      `p50 ${formatDuration(lat.p50Ns)}, p99 ${formatDuration(lat.p99Ns)}, max ${formatDuration(lat.maxNs)}`,
  );
  const cost = cmp.cost;
  out.push(
    `accounting per call (median): fault path locking ${formatHistPercentile(cost.fault_path.locking_p50_ns)}, ` +
      `atomic ${formatHistPercentile(cost.fault_path.atomic_p50_ns)}; resolve path locking ` +
      `${formatHistPercentile(cost.resolve_path.locking_p50_ns)}, atomic ${formatHistPercentile(cost.resolve_path.atomic_p50_ns)}` +
      c.dim(' (each includes ~one clock reading)'),
  );
  for (const [name, l] of [
    ['fault thread', cmp.lock.fault_path],
    ['resolve threads', cmp.lock.resolve_path],
  ] as const) {
    out.push(
      `page-request mutex, ${name}: ${formatCount(l.acquisitions)} acquisitions, ${formatPercent(l.contended, l.acquisitions)} contended, ` +
        `hold median ${formatHistPercentile(l.hold_p50_ns)} p99 ${formatHistPercentile(l.hold_p99_ns)} max ${formatDuration(l.max_hold_ns)}, ` +
        `wait mean ${formatDuration(l.mean_wait_ns)}`,
    );
  }
  if (cmp.ring_full_waits > 0) out.push(c.yellow(`event ring was full ${formatCount(cmp.ring_full_waits)} times (producers waited; nothing lost)`));
  if (cmp.error) out.push(c.red(`error inside the capture: ${cmp.error}`));
  return out.join('\n') + '\n';
}
