/**
 * What an HTML report shows, computed once when it is built: the three
 * variants' results, and the chart data the SQL views yield, downsampled to a
 * size a browser draws in about a second. It is embedded in the page as
 * JSON; times are nanoseconds from the trace's first row (exact as doubles
 * below 2^53 ns, 104 days).
 */
import type { AnalysisResult } from '../../replay/result.js';

/** Width of the charts' plotting area, in CSS pixels: also the timeline's finest useful resolution. */
export const CHART_WIDTH_PX = 820;

/** Runs of time as parallel columns (one JSON array per field, not one object per run: 3-4x smaller). */
export interface TimeRuns {
  /** vCPU index of each run (all -1 for the all-vCPUs-down windows). */
  cpu: number[];
  start_ns: number[];
  end_ns: number[];
  /** Time inside the run that was really blocked: the run's length unless it is a bin of a downsampled timeline. */
  blocked_ns: number[];
  /** Intervals the run holds or touches (1: drawn exactly). */
  intervals: number[];
}

export interface Timeline {
  /**
   * Width of the bins a downsampled timeline is drawn in (0: every interval
   * drawn as it is): a power of two, chosen so that at most about
   * `TIMELINE_BAR_BUDGET` bars are drawn whatever the trace's length
   * (timeline-builder.ts).
   */
  resolution_ns: number;
  /** Blocked intervals before downsampling. */
  interval_count: number;
  /** All-vCPUs-down windows before downsampling (touching ones count as one). */
  all_down_count: number;
  blocked: TimeRuns;
  all_down: TimeRuns;
}

/** Points of each vCPU's latency CDF: the exact latency at evenly spaced ranks, the last one included. */
export interface LatencyCdf {
  cpu: number[];
  latency_ns: number[];
  /** Fraction of that vCPU's faults with a latency at or below `latency_ns`. */
  fraction: number[];
}

export interface ReportTrace {
  /** As the user named it. */
  path: string;
  format: string;
  page_size: number;
  vcpus: number;
  rows: number;
  /** Time from the first row to the last one. */
  span_ns: number;
  /** The trace's `blocktime.source` (what produced it), when it says. */
  source?: Record<string, unknown>;
  /** The thread id of each vCPU, -1 where none was declared (for --tid). */
  vcpu_tids?: number[];
}

/** The migration beside the trace (its companion file, or a QEMU log's phases); times from the trace's first row. */
export interface ReportMigration {
  /** Each `migrate_set_state` phase, clipped to the trace's span. */
  phases: { side: string[]; name: string[]; start_ns: number[]; end_ns: number[] };
  /** Where the source's rate-limit windows start (`migrate_transferred`), within the trace's span. */
  windows_ns: number[];
  /** With the source's log: the served faults' legs. */
  legs?: {
    served: number;
    /** Each leg's time summed over a vCPU's served faults (cpu -1: other threads). */
    per_vcpu: { cpu: number[]; leg: string[]; ns: number[] };
    /** Each leg's CDF at evenly spaced ranks, the last included. */
    cdf: { leg: string[]; ns: number[]; fraction: number[] };
  };
}

export interface ReportData {
  /** Version of blocktime that built the report. */
  generator: string;
  trace: ReportTrace;
  results: { exact: AnalysisResult; mutex: AnalysisResult; atomic: AnalysisResult };
  timeline: Timeline;
  latency_cdf: LatencyCdf;
  migration?: ReportMigration;
}
