/**
 * A trace database seen through a time window (`query --since/--until`,
 * docs/sql.md#time-windows). The relations of the whole trace are built in
 * `main` as always (and reused from a `--db` file); the window's own live in
 * the schema `blocktime_window`, which the connection searches first, so
 * that a statement's `events` or `faults` is the window's and `main.events`
 * still the whole trace's. The views of `main` bind their names in `main`,
 * so they keep reading the whole trace.
 *
 * - `results`, `analysis`: tables, from a windowed replay (load.ts);
 * - `events`: the rows with `since <= t_ns < until`;
 * - `faults`: the faults whose wait overlaps the window (those with no wait:
 *   whose row lies in it), columns unchanged;
 * - `blocked_intervals`, `all_down_intervals`: clipped to the window.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Relation } from './relations.js';
import type { WindowReport } from '../replay/result.js';
import type { TraceWindow } from '../replay/window.js';

export const WINDOW_SCHEMA = 'blocktime_window';

/** The relations the window shows through views of its own; the others (`vcpus`, `trace_meta`) are the trace's. */
const WINDOWED: readonly Relation[] = ['events', 'faults', 'blocked_intervals', 'all_down_intervals'];

/** The window's absolute bounds, as the windowed replay resolved them (`analysis`'s `window`). */
export async function readWindowReport(connection: DuckDBConnection): Promise<WindowReport> {
  const rows = (await connection.runAndReadAll(`SELECT result->>'$.window' AS w FROM ${WINDOW_SCHEMA}.analysis LIMIT 1`)).getRowsJS();
  return JSON.parse(String(rows[0]![0])) as WindowReport;
}

/** The window's view of `relation` (which must be built in `main`), or undefined for one that is the trace's. */
export function windowViewSql(relation: Relation, window: TraceWindow, report: WindowReport): string | undefined {
  if (!WINDOWED.includes(relation)) return undefined;
  // Bounds the user gave, as int64 literals; an open side has no condition.
  const s = window.since !== undefined ? `${report.since_ns}::BIGINT` : undefined;
  const u = window.until !== undefined && report.until_ns !== null ? `${report.until_ns}::BIGINT` : undefined;
  const both = (...conds: Array<string | undefined>): string => {
    const kept = conds.filter((c): c is string => c !== undefined);
    return kept.length === 0 ? '' : ` WHERE ${kept.join(' AND ')}`;
  };
  const view = `CREATE OR REPLACE VIEW ${WINDOW_SCHEMA}.${relation} AS`;
  switch (relation) {
    case 'events':
      return `${view} SELECT * FROM main.events${both(s && `t_ns >= ${s}`, u && `t_ns < ${u}`)}`;
    case 'faults':
      return `${view} SELECT * FROM main.faults${both(
        u && `t_ns < ${u}`,
        s &&
          `CASE WHEN status = 'counted' AND end_t_ns IS NULL THEN true
                WHEN status = 'counted' AND end_t_ns > t_ns THEN end_t_ns > ${s}
                ELSE t_ns >= ${s} END`,
      )}`;
    case 'blocked_intervals':
      return `${view} SELECT cpu, ${clip('start_ns', 'end_ns', s, u)} FROM main.blocked_intervals${both(u && `start_ns < ${u}`, s && `end_ns > ${s}`)}`;
    case 'all_down_intervals':
      return `${view} SELECT ${clip('start_ns', 'end_ns', s, u)} FROM main.all_down_intervals${both(u && `start_ns < ${u}`, s && `end_ns > ${s}`)}`;
    default:
      return undefined;
  }
}

function clip(start: string, end: string, s: string | undefined, u: string | undefined): string {
  return `${s ? `greatest(${start}, ${s})` : start} AS ${start}, ${u ? `least(${end}, ${u})` : end} AS ${end}`;
}
