/**
 * Which rows a per-vCPU table shows, the same way in every command and in
 * the HTML report: the
 * vCPUs `--cpu`/`--tid` keep (all by default), in `--sort` order (by index
 * by default), cut to `--top` rows with the rest summed in one row. A table
 * of more than 32 vCPUs is cut to 16 unless `--all` or `--top` says
 * otherwise, ranked by what matters most to that table.
 */
import { UsageError } from '../errors.js';

export const VCPU_SORT_KEYS = ['blocktime', 'faults', 'latency', 'cpu'] as const;
export type VcpuSortKey = (typeof VCPU_SORT_KEYS)[number];

/** What the user asked to see (`--cpu`, `--tid`, `--sort`, `--top`, `--all`; src/cli/options/vcpu-options.ts). */
export interface VcpuOptionValues {
  /** vCPU indexes, ascending, no duplicates. */
  cpu?: number[];
  /** Thread ids, ascending, no duplicates. */
  tid?: number[];
  sort?: VcpuSortKey;
  /** Rows shown; the rest are summed in one row (absent: a large VM's default cut). */
  top?: number;
  /** Every selected vCPU, never cut. */
  all?: boolean;
}

/** True when any option asks for a subset or an order, which is then shown in JSON too. */
export function vcpuOptionsGiven(v: VcpuOptionValues): boolean {
  return v.cpu !== undefined || v.tid !== undefined || v.sort !== undefined || v.top !== undefined;
}

/** What a table knows of each vCPU, for sorting and ranking. */
export interface VcpuKeys {
  blocktime(cpu: number): number;
  faults(cpu: number): number;
  /** The mean wait per fault the table shows. */
  latency(cpu: number): number;
  /** The thread id of each vCPU, when known (for --tid). */
  tidOf?(cpu: number): number | undefined;
  /** The ranking of a cut table when no --sort is given, and how the note under the table names it. */
  rank?: { compare(a: number, b: number): number; what: string };
}

export interface VcpuReportOptions extends VcpuOptionValues {
  /** The trace as the user named it. */
  file: string;
}

export interface VcpuSelection {
  /** vCPU indexes to show, in display order. */
  shown: number[];
  /** Selected vCPUs summed in one row instead (ascending); absent when the table is not cut. */
  rest?: number[];
  /** The vCPUs --cpu and --tid kept (ascending); absent without them. */
  kept?: number[];
  /** What the cut ranks by, for the note under the table. */
  rankedBy?: string;
}

const UNCUT_VCPUS = 32;
const DEFAULT_TOP = 16;

const SORT_WHAT: Record<VcpuSortKey, string> = {
  blocktime: 'with the most blocktime',
  faults: 'with the most faults',
  latency: 'with the longest mean wait',
  cpu: 'with the lowest indexes',
};

/** The rows of a table of `n` vCPUs. Throws a UsageError when --cpu or --tid names a vCPU the trace does not have. */
export function selectVcpus(n: number, opts: VcpuOptionValues, keys: VcpuKeys): VcpuSelection {
  if (opts.all && opts.top !== undefined) throw new UsageError('give --all or --top, not both');
  const kept = keptVcpus(n, opts, keys);
  const order = kept ?? Array.from({ length: n }, (_, i) => i);
  const sorted = opts.sort === undefined || opts.sort === 'cpu' ? order : [...order].sort(byKey(opts.sort, keys));
  const top = opts.all ? undefined : (opts.top ?? (order.length > UNCUT_VCPUS ? DEFAULT_TOP : undefined));
  const base = kept ? { kept } : {};
  if (top === undefined || order.length <= top) return { ...base, shown: sorted };
  const rank = opts.sort !== undefined ? { compare: byKey(opts.sort, keys), what: SORT_WHAT[opts.sort] } : (keys.rank ?? { compare: byKey('blocktime', keys), what: SORT_WHAT.blocktime });
  const shown = [...order].sort(rank.compare).slice(0, top);
  const inTop = new Set(shown);
  return { ...base, shown, rest: order.filter((i) => !inTop.has(i)), rankedBy: rank.what };
}

/** Largest first for blocktime, faults and latency, ties and `cpu` by index. */
function byKey(key: VcpuSortKey, keys: VcpuKeys): (a: number, b: number) => number {
  if (key === 'cpu') return (a, b) => a - b;
  const f = keys[key];
  return (a, b) => f(b) - f(a) || a - b;
}

function keptVcpus(n: number, opts: VcpuOptionValues, keys: VcpuKeys): number[] | undefined {
  let kept: number[] | undefined;
  if (opts.cpu) {
    const missing = opts.cpu.find((c) => c >= n);
    if (missing !== undefined) throw new UsageError(`--cpu: vCPU ${missing} is not in this trace; expected ${n === 0 ? 'none: it has no vCPUs' : `vCPUs from 0 to ${n - 1}`}`);
    kept = opts.cpu;
  }
  if (opts.tid) {
    const cpuOfTid = new Map<number, number>();
    for (let cpu = 0; cpu < n; cpu++) {
      const tid = keys.tidOf?.(cpu);
      if (tid !== undefined) cpuOfTid.set(tid, cpu);
    }
    const missing = opts.tid.find((t) => !cpuOfTid.has(t));
    if (missing !== undefined) throw new UsageError(`--tid: thread ${missing} is not a vCPU thread of this trace; expected one its vcpu rows declare`);
    const byTid = opts.tid.map((t) => cpuOfTid.get(t)!);
    kept = kept ? kept.filter((c) => byTid.includes(c)) : [...new Set(byTid)].sort((a, b) => a - b);
    if (kept.length === 0) throw new UsageError('--cpu and --tid name no vCPU in common');
  }
  return kept;
}

/** The lines under a table: which vCPUs it shows, and that the sum and total rows are still the whole VM's. */
export function selectionNotes(sel: VcpuSelection, n: number): string[] {
  const out: string[] = [];
  if (sel.kept) out.push(`  vCPUs ${formatIdList(sel.kept)} shown (${sel.kept.length} of ${n}); the sum and total are the whole VM's`);
  if (sel.rest) {
    const which = sel.shown.length === 1 ? 'the vCPU' : `the ${sel.shown.length} vCPUs`;
    out.push(`  ${which} ${sel.rankedBy}; ${sel.rest.length} more in one row (--all lists every vCPU)`);
  }
  return out;
}

/**
 * The vCPUs a `--json` result keeps, in order, when any of --cpu, --tid,
 * --sort or --top is given (undefined otherwise: the result is printed
 * whole). A JSON result is never cut by default, and what --top leaves out
 * is dropped, not summed.
 */
export function shownInJson(n: number, opts: VcpuOptionValues, keys: VcpuKeys): number[] | undefined {
  if (!vcpuOptionsGiven(opts)) return undefined;
  return selectVcpus(n, { ...opts, all: opts.top === undefined }, keys).shown;
}

/** `[0, 3, 8, 9, 10]` -> "0,3,8-10": a list as --cpu reads it back. */
export function formatIdList(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
