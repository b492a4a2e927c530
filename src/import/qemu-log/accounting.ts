/**
 * QEMU's own accounting lines, kept beside the rows they annotate so that a
 * replay can be checked against QEMU event by event (`analyze --explain`).
 *
 * Design: one accounting record per trace row, same order, same row numbers
 * (row i of the side table describes row i of the trace). Written by
 * `import` as a second Arrow file next to the trace (`trace.arrow` ->
 * `trace.qemu.arrow`); read on the fly when the trace is the log itself.
 */

/** Which QEMU line annotates a row. */
export const QemuLine = {
  /** No accounting line (vcpu rows, non-vCPU faults of <= 10.0, faults without a begin line). */
  none: 0,
  /** <= 10.0 `mark_postcopy_blocktime_begin`. */
  markBegin: 1,
  /** <= 10.0 `mark_postcopy_blocktime_end`. */
  markEnd: 2,
  /** >= 10.1 `postcopy_blocktime_begin`. */
  btBegin: 3,
  /** >= 10.1 `postcopy_blocktime_end` (with its `postcopy_blocktime_end_one` lines). */
  btEnd: 4,
  /** A resolve row made from a `postcopy_place_page[_zero]` line. */
  place: 5,
} as const;

export interface AccountingBatch {
  readonly length: number;
  readonly firstRow: number;
  /** 1-based log line the row was made from (0: vcpu rows). */
  readonly line: Float64Array;
  readonly event: Uint8Array;
  /** Begin lines: `cpu`. */
  readonly cpu: Int32Array;
  /** <= 10.0 begin: `time` (ms since QEMU's blocktime start, 0 when already received); end: `time` (QEMU's running total blocktime, ms). */
  readonly ms: Uint32Array;
  /** <= 10.0 begin: `already_received`; >= 10.1 begin: `exist`. */
  readonly flag: Uint8Array;
  /** End lines: `affected_cpu` (<= 10.0) / `affected_cpus` (>= 10.1). */
  readonly affected: Uint32Array;
  /** >= 10.1 end: `affected_non_cpus`. */
  readonly affectedNonCpus: Uint32Array;
  /** >= 10.1 end: its `postcopy_blocktime_end_one` lines (entries released). */
  readonly released: Uint32Array;
  /** >= 10.1 end: of those, the ones with `left_faults` > 0 (waits QEMU's per-vCPU figure drops). */
  readonly releasedLeft: Uint32Array;
}

/** Column names of the side table, in file order. */
export const ACCOUNTING_COLUMNS = [
  'line',
  'event',
  'cpu',
  'ms',
  'flag',
  'affected',
  'affected_non_cpus',
  'released',
  'released_left',
] as const;

export const QEMU_LINE_NAMES = ['none', 'mark_postcopy_blocktime_begin', 'mark_postcopy_blocktime_end', 'postcopy_blocktime_begin', 'postcopy_blocktime_end', 'postcopy_place_page'] as const;

/** The side table's path for a trace path: `x.arrow` -> `x.qemu.arrow`. */
export function accountingPath(tracePath: string): string {
  const m = /\.(arrows?|csv|ndjson|parquet)$/.exec(tracePath);
  return (m ? tracePath.slice(0, m.index) : tracePath) + '.qemu.arrow';
}
