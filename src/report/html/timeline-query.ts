/**
 * The timeline's runs, read from the SQL views `blocked_intervals` and
 * `all_down_intervals` (the `exact` definition lives there, once) and
 * downsampled so that a trace of any length draws in about a second.
 *
 * Downsampling: when there are more intervals than `TIMELINE_BAR_BUDGET`, the
 * trace's span is cut into `budget / N` steps per vCPU, and intervals of one
 * vCPU whose gap is shorter than a step are merged into one drawn run that
 * remembers how much of it was really blocked (drawn as its opacity) and how
 * many intervals it holds. Gaps of a step or more, and every interval
 * longer than a step, stay exact; a vCPU never gets more than about
 * `budget / N` runs. The all-down windows are merged the same way.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Timeline, TimeRuns } from './report-data.js';

/** Bars drawn at most (about): SVG with 20k rects renders in well under a second. */
export const TIMELINE_BAR_BUDGET = 20_000;

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
  const stepsPerVcpu = Math.max(1, Math.floor(budget / Math.max(1, q.vcpus)));
  const resolution = stats.n <= budget ? 0 : Math.ceil(stats.span / stepsPerVcpu);
  const [blocked, allDown] = [
    await mergedRuns(conn, 'report_blocked', resolution, q.originNs),
    await mergedRuns(conn, 'report_all_down', resolution, q.originNs),
  ];
  await conn.run('DROP TABLE report_blocked');
  await conn.run('DROP TABLE report_all_down');
  return { resolution_ns: resolution, interval_count: stats.n, all_down_count: downCount.n, blocked, all_down: allDown };
}

/** Runs of `table` (disjoint per cpu), neighbours closer than `resolution` merged, as offsets from `origin`. */
async function mergedRuns(conn: DuckDBConnection, table: string, resolution: number, origin: bigint): Promise<TimeRuns> {
  const reader = await conn.runAndReadAll(`
    WITH marked AS (
      SELECT cpu, start_ns, end_ns,
        CASE WHEN start_ns - lag(end_ns) OVER (PARTITION BY cpu ORDER BY start_ns) < ${resolution} THEN 0 ELSE 1 END AS opens
      FROM ${table}
    ),
    runs AS (
      SELECT *, sum(opens) OVER (PARTITION BY cpu ORDER BY start_ns ROWS UNBOUNDED PRECEDING) AS run FROM marked
    )
    SELECT cpu::INTEGER AS cpu,
      (min(start_ns) - ${origin})::DOUBLE AS start_ns,
      (max(end_ns) - ${origin})::DOUBLE AS end_ns,
      sum(end_ns - start_ns)::DOUBLE AS blocked_ns,
      count(*)::INTEGER AS intervals
    FROM runs GROUP BY cpu, run ORDER BY cpu, start_ns`);
  const c = reader.getColumnsObjectJS() as unknown as Record<keyof TimeRuns, number[]>;
  return { cpu: c.cpu ?? [], start_ns: c.start_ns ?? [], end_ns: c.end_ns ?? [], blocked_ns: c.blocked_ns ?? [], intervals: c.intervals ?? [] };
}
