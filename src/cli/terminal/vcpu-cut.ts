/**
 * How the terminal reports of `analyze` and `compare` cut the per-vCPU table
 * of a large VM: a table of up to 32 vCPUs is read whole; beyond that the
 * `top` rows that matter most are shown and the rest summed in one row.
 */

export interface VcpuReportOptions {
  /** The trace as the user named it. */
  file: string;
  /** Every vCPU row even for large VMs. */
  all?: boolean;
  /** vCPUs shown when the table is cut (default 16). */
  top?: number;
}

const UNCUT_VCPUS = 32;
const DEFAULT_TOP = 16;

/**
 * The rows to show, in the order `first` ranks them when the table is cut,
 * and the rows left out (in their own order; undefined when none is).
 */
export function cutVcpuRows<T>(rows: readonly T[], opts: VcpuReportOptions, first: (a: T, b: T) => number): { shown: readonly T[]; rest?: T[] } {
  const top = opts.top ?? DEFAULT_TOP;
  if (opts.all || rows.length <= UNCUT_VCPUS || rows.length <= top) return { shown: rows };
  const shown = [...rows].sort(first).slice(0, top);
  const kept = new Set(shown);
  return { shown, rest: rows.filter((r) => !kept.has(r)) };
}
