/**
 * The fleet in a few numbers: per trace, the figures a row shows (total
 * blocktime, vCPU sum, worst vCPU, p99 latency, anomalies), and across the
 * traces the distribution of total and worst-vCPU blocktime, and for
 * `compare` of each design's error against `exact`. Percentiles are by
 * nearest rank over the traces that did not fail, so every one is a trace's
 * own figure.
 */
import type { CompareResult } from '../compare/result.js';
import type { AnalysisResult, VariantName } from '../replay/result.js';
import type { TraceDone, TraceOutcome } from './trace-task.js';

/** What a fleet table shows of one trace (the row's design: analyze's variant, compare's `exact`). */
export interface TraceFigures {
  events: number;
  total_ns: number;
  vcpu_sum_ns: number;
  /** The vCPU with the most blocktime, and its blocktime. */
  worst_vcpu: number;
  worst_vcpu_ns: number;
  fault_p99_ns: number;
  anomalies: number;
  /** compare only: design minus exact, all-vCPUs-down and vCPU sum. */
  error?: Record<'mutex' | 'atomic', { total_ns: number; vcpu_sum_ns: number }>;
}

export function isCompare(r: AnalysisResult | CompareResult): r is CompareResult {
  return 'results' in r;
}

export function traceFigures(o: TraceDone): TraceFigures {
  const r = o.result;
  const main = isCompare(r) ? r.results.exact : r;
  let worst = 0;
  main.vcpu_blocktime_ns.forEach((ns, cpu) => {
    if (ns > main.vcpu_blocktime_ns[worst]!) worst = cpu;
  });
  const figures: TraceFigures = {
    events: main.events.vcpu + main.events.fault + main.events.resolve,
    total_ns: main.total_blocktime_ns,
    vcpu_sum_ns: main.vcpu_blocktime_ns.reduce((a, b) => a + b, 0),
    worst_vcpu: worst,
    worst_vcpu_ns: main.vcpu_blocktime_ns[worst] ?? 0,
    fault_p99_ns: o.fault_p99_ns,
    anomalies: anomalyCount(isCompare(r) ? [r.results.exact, r.results.mutex, r.results.atomic] : [r]),
  };
  if (isCompare(r)) {
    figures.error = {
      mutex: { total_ns: r.total.mutex.diff_ns, vcpu_sum_ns: r.vcpu_sum.mutex.diff_ns },
      atomic: { total_ns: r.total.atomic.diff_ns, vcpu_sum_ns: r.vcpu_sum.atomic.diff_ns },
    };
  }
  return figures;
}

/** Anomalies, the most any of the results counted (the designs see the same trace): background resolves are normal and left out. */
function anomalyCount(results: AnalysisResult[]): number {
  return results.reduce((most, r) => Math.max(most, r.anomalies.negative_duration + r.anomalies.over_255_outstanding + r.anomalies.time_out_of_range), 0);
}

export interface Distribution {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface FleetSummary {
  traces: number;
  failed: number;
  total_ns: Distribution | null;
  worst_vcpu_ns: Distribution | null;
  /** compare only: each design's error (design minus exact, ns) across traces. */
  error?: Record<Exclude<VariantName, 'exact'>, { total_ns: Distribution; vcpu_sum_ns: Distribution }>;
}

export function summarizeFleet(outcomes: readonly TraceOutcome[]): FleetSummary {
  const figures = outcomes.flatMap((o) => (o.ok ? [traceFigures(o)] : []));
  const summary: FleetSummary = {
    traces: outcomes.length,
    failed: outcomes.length - figures.length,
    total_ns: distribution(figures.map((f) => f.total_ns)),
    worst_vcpu_ns: distribution(figures.map((f) => f.worst_vcpu_ns)),
  };
  const errors = figures.flatMap((f) => (f.error ? [f.error] : []));
  if (errors.length > 0) {
    const of = (d: 'mutex' | 'atomic'): { total_ns: Distribution; vcpu_sum_ns: Distribution } => ({
      total_ns: distribution(errors.map((e) => e[d].total_ns))!,
      vcpu_sum_ns: distribution(errors.map((e) => e[d].vcpu_sum_ns))!,
    });
    summary.error = { mutex: of('mutex'), atomic: of('atomic') };
  }
  return summary;
}

/** Nearest-rank percentiles; null for no values. */
export function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { min: sorted[0]!, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted.at(-1)! };
}
