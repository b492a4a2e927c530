/**
 * The order of a fleet's rows: by one of the figures a row shows, the worst
 * first (the largest blocktime, latency, error), or by file name; ties keep
 * the order the traces were named in. Failed traces are not ranked.
 */
import { traceFigures, type TraceFigures } from './summary.js';
import type { TraceDone } from './trace-task.js';

export const FLEET_SORT_KEYS = ['total', 'worst', 'sum', 'p99', 'events', 'vcpus', 'anomalies', 'mutex-error', 'atomic-error', 'file'] as const;
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];

/** What each key ranks by, largest first; `file` alone is ascending. */
const KEYS: Record<Exclude<FleetSortKey, 'file'>, (f: TraceFigures, o: TraceDone) => number> = {
  total: (f) => f.total_ns,
  worst: (f) => f.worst_vcpu_ns,
  sum: (f) => f.vcpu_sum_ns,
  p99: (f) => f.fault_p99_ns,
  events: (f) => f.events,
  vcpus: (_f, o) => o.trace_meta.vcpus,
  anomalies: (f) => f.anomalies,
  // The size of the error, either way: the vCPU sum, where both designs differ most.
  'mutex-error': (f) => Math.abs(f.error?.mutex.vcpu_sum_ns ?? 0),
  'atomic-error': (f) => Math.abs(f.error?.atomic.vcpu_sum_ns ?? 0),
};

/** `done` in `key`'s order, with their figures, cut to the first `top` when given. */
export function rankTraces(done: readonly TraceDone[], key: FleetSortKey, top?: number): Array<{ outcome: TraceDone; figures: TraceFigures }> {
  const rows = done.map((outcome, index) => ({ outcome, figures: traceFigures(outcome), index }));
  if (key === 'file') rows.sort((a, b) => (a.outcome.trace < b.outcome.trace ? -1 : a.outcome.trace > b.outcome.trace ? 1 : a.index - b.index));
  else {
    const of = KEYS[key];
    rows.sort((a, b) => of(b.figures, b.outcome) - of(a.figures, a.outcome) || a.index - b.index);
  }
  return rows.slice(0, top ?? rows.length).map(({ outcome, figures }) => ({ outcome, figures }));
}
