/**
 * A fleet's rows as they are written: `--json` prints one object per trace,
 * the single-trace `--json` contract with `trace` (its path), `trace_meta`
 * and `fault_p99_ns` in front (docs/trace-format.md#fleet-rows); a failed
 * trace's object has `trace`, `trace_meta: null` and `error`. A table
 * (fleet-table.ts) flattens the same objects: one column per scalar, named
 * by its path with `_` (`total_mutex_diff_ns`), lists kept as lists.
 */
import type { TraceOutcome } from './trace-task.js';

export type JsonRow = Record<string, unknown>;

export function jsonRow(o: TraceOutcome): JsonRow {
  if (!o.ok) return { trace: o.trace, trace_meta: null, error: o.error };
  return { trace: o.trace, trace_meta: o.trace_meta, fault_p99_ns: o.fault_p99_ns, ...o.result };
}

/** One object's scalars under flattened names, in the object's order; arrays (of numbers or of objects) kept whole. */
export function flattenRow(row: JsonRow): JsonRow {
  const out: JsonRow = {};
  const visit = (value: unknown, name: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, name === '' ? columnName(k) : `${name}_${columnName(k)}`);
    } else out[name] = value;
  };
  visit(row, '');
  return out;
}

/** QEMU's names have dashes (`postcopy-blocktime`): a column name takes underscores. */
function columnName(key: string): string {
  return key.replace(/-/g, '_');
}

/**
 * The rows with the same columns each, in the same order: the union of
 * every row's, in first-seen order, `error` second; a missing value is null.
 * A failed trace's row is null but for its path and error.
 */
export function tableRows(rows: readonly JsonRow[]): { columns: string[]; rows: JsonRow[] } {
  const flat = rows.map(flattenRow);
  const seen = new Set<string>(['trace', 'error']);
  for (const r of flat) for (const k of Object.keys(r)) seen.add(k);
  // trace_meta flattens to nothing on a failed row (it is null): its null column is not a column of its own.
  seen.delete('trace_meta');
  const columns = [...seen];
  return { columns, rows: flat.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))) };
}
