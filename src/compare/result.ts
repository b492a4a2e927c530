/**
 * The `compare --json` result: the three designs side by side on one trace,
 * and what explains their differences. Built by `compareTrace` in one pass.
 *
 * Every blocktime is in nanoseconds (the `atomic` design's milliseconds times
 * 1e6). A difference is `design - exact`; its percentage is relative to
 * `exact`, and `null` when `exact` is 0 and the design is not.
 */
import type { AnalysisResult } from '../replay/result.js';
import type { WindowReport } from '../replay/result.js';

/** One design's figure next to the exact one. */
export interface DesignFigure {
  ns: number;
  diff_ns: number;
  diff_pct: number | null;
}

/** A figure per design: `exact` is the reference the differences are taken against. */
export interface SideBySide {
  exact_ns: number;
  mutex: DesignFigure;
  atomic: DesignFigure;
}

export interface CompareVcpuRow extends SideBySide {
  cpu: number;
  /** Faults the `mutex` and `exact` variants counted for this vCPU (they count the same faults). */
  faults: number;
  /** Faults the `atomic` design left in this vCPU's slot (its erased faults excluded). */
  atomic_faults: number;
}

/** A number of faults and the time they account for. */
export interface CountNs {
  count: number;
  ns: number;
}

/**
 * What explains the differences. The identities below hold per vCPU and summed
 * over vCPUs, on traces without negative durations:
 *   mutex  - exact = mutex_inflated.ns - mutex_dropped.ns
 *   atomic - exact = -(overwritten.ns + ms_truncation_lost_ns)
 */
export interface CompareExplanation {
  /**
   * Waits that both QEMU designs drop: vCPU faults whose thread faulted again
   * before the fault's page was resolved (the vCPU had been woken and ran on).
   * `ns` is the exact length of those waits (fault to the thread's next fault).
   */
  reentrant: CountNs;
  /**
   * `mutex`: vCPU faults whose wait was never added: resolved while their vCPU
   * still had others outstanding, or never resolved although their thread ran
   * on; `ns` = their exact length.
   */
  mutex_dropped: CountNs;
  /** `mutex`: faults added in full at their resolve although their thread had faulted again first; `ns` = the excess over their exact length. */
  mutex_inflated: CountNs;
  /** `atomic`: faults whose slot a later fault of the same vCPU overwrote; `ns` = their exact length. */
  overwritten: CountNs;
  /** `atomic`: faults on already-received pages, injected then erased. */
  erased: number;
  /** `atomic`: erases that emptied the slot of a vCPU still blocked on an earlier page (it drops out of `down`). */
  lost_blocked_vcpu: number;
  /** `atomic`: faults of threads that are not vCPUs, which that design does not track. */
  ignored_non_vcpu: number;
  /**
   * `atomic`: exact length minus the design's millisecond figure, summed over
   * the faults it credited (floor of each end to the ms, the clamp to 1 ms,
   * uint32 wrap). Positive: time lost; it can be negative.
   */
  ms_truncation_lost_ns: number;
  /**
   * `atomic`: all-vCPUs-down windows credited from a `last_begin` that a
   * fault which did not take its vCPU from 0 to 1 outstanding had moved;
   * `ns` = how much later that start was than the last 0-to-1 fault.
   */
  all_down_shortened: CountNs;
}

/** One row at which the designs' accounting diverges, and what each did there. */
export interface DivergenceEvent {
  /** 0-based row number in the trace (the `vcpu` rows included). */
  row: number;
  /** The row's `t_ns`, exact, as a decimal string (int64 does not fit a JSON number). */
  t_ns: string;
  /** Nanoseconds since the trace's first row. */
  offset_ns: number;
  kind: 'fault' | 'resolve';
  /** vCPU index of the faulting thread, -1 for another thread, null on a resolve. */
  vcpu: number | null;
  /** The page key (address rounded down to the page size), hex. */
  page: string;
  mutex: string;
  atomic: string;
  exact: string;
}

export interface CompareResult {
  vcpus: number;
  page_size: number;
  events: { vcpu: number; fault: number; resolve: number };
  /** The `mutex` variant's classification of the fault rows. */
  faults: AnalysisResult['faults'];
  total: SideBySide;
  vcpu: CompareVcpuRow[];
  /** As in `AnalysisResult`: present when the user asked for some vCPUs, which `vcpu` and each of `results` then hold only. */
  vcpus_shown?: number[];
  /** Sum over vCPUs of the per-vCPU blocktime. */
  vcpu_sum: SideBySide;
  non_vcpu_faults: number;
  explanation: CompareExplanation;
  /** The first `explain` divergent rows (empty unless asked for). */
  explain: DivergenceEvent[];
  /** The three full `analyze` results, for anything the table above leaves out. */
  results: { exact: AnalysisResult; mutex: AnalysisResult; atomic: AnalysisResult };
  /**
   * A windowed comparison: the window every figure covers. The explanation's
   * counters are then what they grew by in it, and its identities hold for
   * the whole trace only (`exact` clips the waits open at an instant, the
   * QEMU designs credit a wait when it ends).
   */
  window?: WindowReport;
}
