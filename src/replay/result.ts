/**
 * The `analyze --json` contract of docs/trace-format.md#the-analyze---json-result. Keys may be added; none
 * of these is renamed or removed. Every variant builds one of these from its
 * state at the end of the pass.
 */

/** The window a result covers, in its JSON (`window`): absolute trace times in ns, as decimal strings (int64). */
export interface WindowReport {
  /** The first row's time when `--since` was not given. */
  since_ns: string;
  /** null: to the end of the trace. */
  until_ns: string | null;
  /** The same instants as ns after the first row, for people (null when open, or 2^53 ns or more away from it). */
  since_offset_ns: number | null;
  until_offset_ns: number | null;
  /** Rows from the first row that reaches `since` up to the first that reaches `until`. */
  rows: number;
  /** Present when the window holds no row of the trace: every figure is then 0. */
  note?: string;
}

export type VariantName = 'mutex' | 'atomic' | 'exact';
export const VARIANTS: readonly VariantName[] = ['mutex', 'atomic', 'exact'];

/** Number of log2 latency buckets: bucket k holds [2^k us, 2^(k+1) us). */
export const LATENCY_BUCKETS = 24;

export interface LatencyStats {
  count: number;
  mean_ns: number;
  p50_ns: number;
  p90_ns: number;
  p99_ns: number;
  /** p99.9: QEMU engineers look at the tail first. */
  p999_ns: number;
  max_ns: number;
}

export interface QemuFigures {
  'postcopy-blocktime': number;
  'postcopy-vcpu-blocktime': number[];
  'postcopy-latency'?: number;
  'postcopy-vcpu-latency'?: number[];
  'postcopy-non-vcpu-latency'?: number;
  'postcopy-latency-dist'?: number[];
}

export interface AnalysisResult {
  variant: VariantName;
  vcpus: number;
  page_size: number;
  /** `erase`: present only when the trace has such rows (QEMU <= 10.0 log imports, docs/qemu-logs.md). */
  events: { vcpu: number; fault: number; resolve: number; erase?: number };
  faults: {
    counted: number;
    no_tid: number;
    already_received: number;
    non_vcpu: number;
    unresolved: number;
  };
  total_blocktime_ns: number;
  vcpu_blocktime_ns: number[];
  vcpu_faults: number[];
  non_vcpu_faults: number;
  non_vcpu_blocktime_ns: number;
  latency_buckets: number[];
  anomalies: {
    negative_duration: number;
    over_255_outstanding: number;
    /** Resolves of pages that no fault asked for (background placements are normal; counted, not fatal). */
    resolve_without_fault: number;
    /**
     * Always 0: the replay refuses a row 2^53 ns or more from the first row
     * (its offset would round). Kept for the scripts that read it.
     */
    time_out_of_range: number;
  };
  /** What that QEMU design reported, under QEMU's names (absent for `exact`). */
  qemu?: QemuFigures;
  /** `exact` only. */
  latency?: { overall: LatencyStats; non_vcpu: LatencyStats; vcpu: LatencyStats[] };
  /** `exact` only: intervals still open at the end, and the oldest one's age at the last event. */
  open_at_end?: { count: number; max_age_ns: number };
  /** A windowed replay (`--since`, `--until`): the window every figure above covers (src/replay/window.ts). */
  window?: WindowReport;
  /**
   * Only when the user asked for some vCPUs (`--cpu`, `--tid`, `--sort`,
   * `--top`): the vCPU index of each entry of every per-vCPU array, which
   * then hold those vCPUs only, in this order.
   */
  vcpus_shown?: number[];
  /** `atomic` only. */
  diagnostics?: {
    overwritten: number;
    erased: number;
    lost_blocked_vcpu: number;
    ignored_non_vcpu: number;
    /** `erase` rows applied (present only when the trace has any). */
    erase_rows?: number;
    /**
     * Present when an `erase` row found its slot already released: from that
     * row on the design's count of blocked vCPUs is lower than the number of
     * blocked vCPUs and its total blocktime cannot grow. `row` (0-based) and
     * `t_ns` (int64, decimal) of the first, and `at_ms` its time on the
     * design's millisecond clock; `unreported_total_ms`: the total
     * blocktime the design would have added without the drift.
     */
    blocked_count_drift?: { row: number; t_ns: string; at_ms: number; erases: number; unreported_total_ms: number };
  };
}
