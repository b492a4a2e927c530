/**
 * The timeline's runs, read from the SQL views `blocked_intervals` and
 * `all_down_intervals` (the `exact` definition lives there, once) and
 * downsampled so that a trace of any length draws in about a second.
 *
 * Downsampling: up to `TIMELINE_BAR_BUDGET` intervals are drawn as they are.
 * Beyond that, the trace's span is cut into equal bins, `budget / N` per vCPU
 * but no more than the chart is wide in pixels (finer bins would share a
 * pixel and only slow the page down), and each bin in which a vCPU was blocked is drawn as one bar whose opacity
 * is the fraction of the bin it was blocked (an interval across bins is split
 * at their edges); its tooltip gives the exact blocked time and how many
 * intervals it touches. A vCPU never gets more bars than that, and
 * its bars' blocked times still add up to its exact blocktime. The
 * all-vCPUs-down windows are binned the same way.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { CHART_WIDTH_PX, type Timeline, type TimeRuns } from './report-data.js';

/** Bars drawn at most (about), so that the page opens in about a second. */
export const TIMELINE_BAR_BUDGET = 12_000;

export interface TimelineQuery {
  /** The trace's first row's time: the origin of every offset. */
  originNs: bigint;
  /** N, the number of vCPUs. */
  vcpus: number;
  budget?: number;
}

export async function queryTimeline(conn: DuckDBConnection, q: TimelineQuery): Promise<Timeline> {
  const budget = q.budget ?? TIMELINE_BAR_BUDGET;
  // Materialized once: the view is a window query over every fault.
  await conn.run('CREATE OR REPLACE TEMP TABLE report_blocked AS SELECT cpu, start_ns, end_ns FROM blocked_intervals');
  await conn.run('CREATE OR REPLACE TEMP TABLE report_all_down AS SELECT -1 AS cpu, start_ns, end_ns FROM all_down_intervals');
  const stats = (
    await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n, coalesce((max(end_ns) - min(start_ns))::DOUBLE, 0) AS span FROM report_blocked`)
  ).getRowObjectsJS()[0] as { n: number; span: number };
  const downCount = (await conn.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM report_all_down')).getRowObjectsJS()[0] as { n: number };
  const binsPerVcpu = Math.max(1, Math.min(CHART_WIDTH_PX, Math.floor(budget / Math.max(1, q.vcpus))));
  const resolution = stats.n <= budget ? 0 : Math.max(1, Math.ceil(stats.span / binsPerVcpu));
  const [blocked, allDown] = [
    await mergedRuns(conn, 'report_blocked', resolution, q.originNs),
    await mergedRuns(conn, 'report_all_down', resolution, q.originNs),
  ];
  await conn.run('DROP TABLE report_blocked');
  await conn.run('DROP TABLE report_all_down');
  return { resolution_ns: resolution, interval_count: stats.n, all_down_count: downCount.n, blocked, all_down: allDown };
}

/** Runs of `table` as offsets from `origin`: each as it is (`bin` 0), or per bin of `bin` ns, split at the bins' edges. */
async function mergedRuns(conn: DuckDBConnection, table: string, bin: number, origin: bigint): Promise<TimeRuns> {
  const sql =
    bin === 0
      ? `SELECT cpu::INTEGER AS cpu, (start_ns - ${origin})::DOUBLE AS start_ns, (end_ns - ${origin})::DOUBLE AS end_ns,
           (end_ns - start_ns)::DOUBLE AS blocked_ns, 1 AS intervals
         FROM ${table} ORDER BY cpu, start_ns`
      : `WITH offsets AS (
           SELECT cpu, start_ns - ${origin} AS s, end_ns - ${origin} AS e FROM ${table}
         ),
         -- Floor division that stays exact for offsets before the origin (% keeps the sign of its left side).
         spans AS (
           SELECT cpu, s, e, (s - ((s % ${bin}) + ${bin}) % ${bin}) // ${bin} AS first_bin,
             (e - 1 - (((e - 1) % ${bin}) + ${bin}) % ${bin}) // ${bin} AS last_bin
           FROM offsets
         ),
         pieces AS (SELECT cpu, s, e, unnest(range(first_bin, last_bin + 1)) AS b FROM spans)
         SELECT cpu::INTEGER AS cpu, (b * ${bin})::DOUBLE AS start_ns, ((b + 1) * ${bin})::DOUBLE AS end_ns,
           sum(least(e, (b + 1) * ${bin}) - greatest(s, b * ${bin}))::DOUBLE AS blocked_ns, count(*)::INTEGER AS intervals
         FROM pieces GROUP BY cpu, b ORDER BY cpu, b`;
  const c = (await conn.runAndReadAll(sql)).getColumnsObjectJS() as unknown as Record<keyof TimeRuns, number[]>;
  return { cpu: c.cpu ?? [], start_ns: c.start_ns ?? [], end_ns: c.end_ns ?? [], blocked_ns: c.blocked_ns ?? [], intervals: c.intervals ?? [] };
}
