/** The terminal report of `capture --native`: live figures next to the replay of the capture's own trace. */
import type { ChalkInstance } from 'chalk';
import type { NativeCaptureReport } from '../../capture/native/capture.js';
import { renderTable, type Column } from './table.js';
import { formatCount, formatDuration, formatMs, formatMsDelta, formatPercent } from '../../units.js';
import { formatHistPercentile } from './hist-percentile.js';

const COLUMNS: Column[] = [
  { header: 'vCPU', align: 'right' },
  { header: 'tid', align: 'right' },
  { header: 'stalls', align: 'right' },
  { header: 'true ms', align: 'right' },
  { header: 'exact', align: 'right' },
  { header: 'mutex live', align: 'right' },
  { header: 'replay', align: 'right' },
  { header: 'atomic live', align: 'right' },
  { header: 'replay', align: 'right' },
];

export function renderNativeCapture(r: NativeCaptureReport, c: ChalkInstance): string {
  const cmp = r.comparison;
  const o = r.options;
  const out: string[] = [];
  out.push(
    c.bold(`native capture: ${r.trace}`) +
      `  ${formatCount(r.rows)} rows (${formatCount(cmp.events.fault)} faults, ${formatCount(cmp.events.resolve)} resolves)` +
      `, ${formatDuration(cmp.duration_ns)}`,
  );
  out.push(
    `  ${o.vcpus} vCPUs, ${o.resolvers} resolver${o.resolvers > 1 ? 's' : ''}, ${o.pattern}, latency ${formatDuration(o.latencyNs)}, ` +
      `pages placed: ${formatCount(cmp.placed.requested)} requested, ${formatCount(cmp.placed.streamed)} streamed`,
  );
  out.push('');
  const rows = cmp.per_vcpu.map((v) => [
    String(v.cpu),
    String(v.tid),
    formatCount(v.stalls),
    formatMs(v.true_ns),
    formatMs(v.exact_ns),
    formatMs(v.mutex_live_ns),
    formatMs(v.mutex_replay_ns),
    formatMs(v.atomic_live_ns),
    formatMs(v.atomic_replay_ns),
  ]);
  const t = cmp.total;
  rows.push([
    'all',
    '',
    '',
    formatMs(t.true_ns),
    formatMs(t.exact_ns),
    formatMs(t.mutex_live_ns),
    formatMs(t.mutex_replay_ns),
    formatMs(t.atomic_live_ns),
    formatMs(t.atomic_replay_ns),
  ]);
  for (const line of renderTable(COLUMNS, rows, { separatorBefore: [rows.length - 1], styleHeader: (s) => c.bold(s) })) out.push(line);
  out.push(c.dim('  true: each vCPU thread timed its own stalled accesses; "all": time every vCPU was down at once'));
  out.push('');
  if (cmp.mutex_live_equals_replay) {
    out.push(c.green('locking design: live = replay, field by field'));
  } else {
    out.push(c.red(`locking design: live and replay differ in ${cmp.mutex_mismatches.length} fields: ${cmp.mutex_mismatches.slice(0, 5).join('; ')}`));
  }
  const a = cmp.atomic_live_minus_replay;
  const d = a.diagnostics;
  out.push(
    `atomic-op design, live - replay (races and its own clock): total ${formatMsDelta(a.total_ns)} ms, ` +
      `per vCPU [${a.vcpu_ns.map(formatMsDelta).join(', ')}] ms`,
  );
  out.push(
    `  overwritten ${d.overwritten.live}/${d.overwritten.replay}, erased ${d.erased.live}/${d.erased.replay}, ` +
      `lost blocked vCPU ${d.lost_blocked_vcpu.live}/${d.lost_blocked_vcpu.replay} (live/replay)`,
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
  if (cmp.ring_full_waits > 0) out.push(c.yellow(`event ring was full ${cmp.ring_full_waits} times (producers waited; nothing lost)`));
  if (cmp.error) out.push(c.red(`error inside the capture: ${cmp.error}`));
  return out.join('\n') + '\n';
}
