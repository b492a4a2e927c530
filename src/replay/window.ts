/**
 * Time windows (`--since`, `--until`; docs/blocktime.md#time-windows): a
 * window's figures are what a design's cumulative counters grew by between
 * two instants, as two reads of QEMU's counters would show. The whole trace
 * is replayed; the engine (engine.ts) cuts its batches at the first row whose
 * time reaches each instant and lets every consumer `mark` its state there;
 * each design's result is then the difference of its two marks.
 *
 * Nothing here runs per event: the engine compares each row's offset (the
 * double it computes for the variants anyway) with the instant it waits for,
 * and only while it waits for one.
 */
import { UsageError } from '../errors.js';
import { formatCount, formatDuration, formatDurationCompact } from '../units.js';
import type { AnalysisResult, WindowReport } from './result.js';

/** An instant as the user gives it: nanoseconds after the trace's first row, or an absolute trace time. */
export type WindowInstant = { afterFirstNs: number } | { atNs: bigint };

export interface TraceWindow {
  since?: WindowInstant;
  until?: WindowInstant;
}

/** A window's instants as offsets from the first row, the replay's time base: -Infinity and Infinity when open. */
export interface WindowBounds {
  since: number;
  until: number;
}

/** Any consumer of a windowed pass: records its state before the next row, at `at` (an offset). Called for `since`, then `until`. */
export interface WindowMarker {
  mark(at: number): void;
}

/** The window's instants as offsets from `baseNs`, the trace's first row; refuses `since` after `until`. */
export function windowBounds(w: TraceWindow, baseNs: bigint): WindowBounds {
  const since = w.since === undefined ? -Infinity : offsetOf(w.since, baseNs);
  const until = w.until === undefined ? Infinity : offsetOf(w.until, baseNs);
  if (since > until) throw new UsageError(`--since ${describeInstant(w.since!)} is after --until ${describeInstant(w.until!)}: expected a window that does not end before it starts`);
  return { since, until };
}

function offsetOf(i: WindowInstant, baseNs: bigint): number {
  if ('afterFirstNs' in i) return i.afterFirstNs;
  const d = i.atNs - baseNs;
  // No row lies 2^53 ns or more from the first (the engine refuses it): such an instant is before or after them all.
  if (d > BigInt(Number.MAX_SAFE_INTEGER)) return Infinity;
  if (d < -BigInt(Number.MAX_SAFE_INTEGER)) return -Infinity;
  return Number(d);
}

/** How the user wrote an instant, for messages. */
export function describeInstant(i: WindowInstant): string {
  return 'atNs' in i ? `@${i.atNs}` : formatDurationCompact(i.afterFirstNs);
}

/** The JSON `window` of a pass: `rows` from the row indices at which each instant was reached (undefined: never, the end). */
export function windowReport(w: TraceWindow, baseNs: bigint, sinceRow: number | undefined, untilRow: number | undefined, rows: number): WindowReport {
  const abs = (i: WindowInstant): bigint => ('atNs' in i ? i.atNs : baseNs + BigInt(i.afterFirstNs));
  const inside = (untilRow ?? rows) - (sinceRow ?? rows);
  const offset = (ns: bigint): number | null => {
    const d = ns - baseNs;
    return d <= BigInt(Number.MAX_SAFE_INTEGER) && d >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(d) : null;
  };
  const since = w.since === undefined ? baseNs : abs(w.since);
  const until = w.until === undefined ? undefined : abs(w.until);
  return {
    since_ns: since.toString(),
    until_ns: until === undefined ? null : until.toString(),
    since_offset_ns: offset(since),
    until_offset_ns: until === undefined ? null : offset(until),
    rows: inside,
    ...(inside === 0 ? { note: rows === 0 ? 'the trace has no rows: every figure is 0' : 'the window holds no row of the trace: every figure is 0' } : {}),
  };
}

/** The window for people, as headers show it: `window 2.5 s to 5 s after the first row (@A to @B, 812 rows)`, and its note. */
export function describeWindow(w: WindowReport): string {
  const at = (offset: number | null, abs: string): string => (offset === null ? `@${abs}` : formatDuration(offset));
  const since = at(w.since_offset_ns, w.since_ns);
  const span = w.until_ns === null ? `${since} to the end` : `${since} to ${at(w.until_offset_ns, w.until_ns)}`;
  return `window ${span} after the first row (@${w.since_ns} to ${w.until_ns === null ? 'the end' : `@${w.until_ns}`}, ${formatCount(w.rows)} rows)${w.note ? `: ${w.note}` : ''}`;
}

const minus = (a: number[], b: number[] | undefined): number[] => a.map((x, k) => x - (b?.[k] ?? 0));

/**
 * The counters every design keeps, as they grew from `since` (null: the
 * state before the first row past the `vcpu` rows, all zero) to `until`.
 * What is not a counter is `until`'s (N, page size, faults still unresolved
 * there); each design adds its own figures (its `qemu` view of these counters,
 * `exact`'s latencies) after.
 */
export function counterDifference(since: AnalysisResult | null, until: AnalysisResult): AnalysisResult {
  const s = since;
  const d = (a: number, b: number | undefined): number => a - (b ?? 0);
  const { qemu: _q, latency: _l, open_at_end: _o, diagnostics, ...rest } = until;
  return {
    ...rest,
    events: { vcpu: d(until.events.vcpu, s?.events.vcpu), fault: d(until.events.fault, s?.events.fault), resolve: d(until.events.resolve, s?.events.resolve) },
    faults: {
      counted: d(until.faults.counted, s?.faults.counted),
      no_tid: d(until.faults.no_tid, s?.faults.no_tid),
      already_received: d(until.faults.already_received, s?.faults.already_received),
      non_vcpu: d(until.faults.non_vcpu, s?.faults.non_vcpu),
      unresolved: until.faults.unresolved,
    },
    total_blocktime_ns: d(until.total_blocktime_ns, s?.total_blocktime_ns),
    vcpu_blocktime_ns: minus(until.vcpu_blocktime_ns, s?.vcpu_blocktime_ns),
    vcpu_faults: minus(until.vcpu_faults, s?.vcpu_faults),
    non_vcpu_faults: d(until.non_vcpu_faults, s?.non_vcpu_faults),
    non_vcpu_blocktime_ns: d(until.non_vcpu_blocktime_ns, s?.non_vcpu_blocktime_ns),
    latency_buckets: minus(until.latency_buckets, s?.latency_buckets),
    anomalies: {
      negative_duration: d(until.anomalies.negative_duration, s?.anomalies.negative_duration),
      over_255_outstanding: d(until.anomalies.over_255_outstanding, s?.anomalies.over_255_outstanding),
      resolve_without_fault: d(until.anomalies.resolve_without_fault, s?.anomalies.resolve_without_fault),
      time_out_of_range: 0,
    },
    ...(diagnostics
      ? {
          diagnostics: {
            overwritten: d(diagnostics.overwritten, s?.diagnostics?.overwritten),
            erased: d(diagnostics.erased, s?.diagnostics?.erased),
            lost_blocked_vcpu: d(diagnostics.lost_blocked_vcpu, s?.diagnostics?.lost_blocked_vcpu),
            ignored_non_vcpu: d(diagnostics.ignored_non_vcpu, s?.diagnostics?.ignored_non_vcpu),
          },
        }
      : {}),
  };
}
