/**
 * The migration's part of the report, from the relations `phases` and
 * `fault_legs` (src/sql/migration-tables.ts): the phases to shade on the
 * timeline, clipped to the trace's span, the source's rate-limit windows to
 * mark on it, and, when the trace was imported
 * with the source's log, where the served faults' time went: each leg's sum
 * per vCPU (stacked) and each leg's CDF.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { CDF_POINTS } from './latency-cdf.js';
import type { ReportMigration } from './report-data.js';

const LEG_COLUMNS = ['request_transit', 'source_queue_wait', 'source_and_transit', 'page_transit'] as const;

export async function queryMigration(conn: DuckDBConnection, originNs: bigint, spanNs: number, points = CDF_POINTS): Promise<ReportMigration | undefined> {
  const phases = (
    await conn.runAndReadAll(
      `SELECT side, name,
         greatest((start_ns - $1::BIGINT)::DOUBLE, 0) AS start_ns,
         least((end_ns - $1::BIGINT)::DOUBLE, $2::DOUBLE) AS end_ns
       FROM phases
       WHERE kind = 'state' AND end_ns - $1::BIGINT > 0 AND start_ns - $1::BIGINT < $2::DOUBLE
       ORDER BY start_ns, side`,
      [originNs, spanNs],
    )
  ).getColumnsObjectJS() as unknown as { side?: string[]; name?: string[]; start_ns?: number[]; end_ns?: number[] };
  const windows = (
    await conn.runAndReadAll(
      `SELECT (start_ns - $1::BIGINT)::DOUBLE AS start_ns FROM phases
       WHERE kind = 'window' AND start_ns - $1::BIGINT >= 0 AND start_ns - $1::BIGINT <= $2::DOUBLE ORDER BY start_ns`,
      [originNs, spanNs],
    )
  ).getColumnsObjectJS() as unknown as { start_ns?: number[] };
  const served = Number(((await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM fault_legs WHERE category = 'served'`)).getRowObjectsJS()[0] as { n: number }).n);
  const phaseCount = phases.side?.length ?? 0;
  if (phaseCount === 0 && served === 0) return undefined;
  const out: ReportMigration = {
    phases: { side: phases.side ?? [], name: phases.name ?? [], start_ns: phases.start_ns ?? [], end_ns: phases.end_ns ?? [] },
    windows_ns: windows.start_ns ?? [],
  };
  if (served === 0) return out;
  const unpivot = LEG_COLUMNS.map((leg) => `SELECT cpu, '${leg}' AS leg, ${leg}_ns AS ns FROM fault_legs WHERE category = 'served' AND ${leg}_ns IS NOT NULL`).join(' UNION ALL ');
  const stacked = (
    await conn.runAndReadAll(`SELECT cpu::INTEGER AS cpu, leg, sum(ns)::DOUBLE AS ns FROM (${unpivot}) GROUP BY cpu, leg ORDER BY cpu, leg`)
  ).getColumnsObjectJS() as unknown as { cpu: number[]; leg: string[]; ns: number[] };
  const cdf = (
    await conn.runAndReadAll(`
      WITH ranked AS (
        SELECT leg, ns, row_number() OVER (PARTITION BY leg ORDER BY ns) AS rank, count(*) OVER (PARTITION BY leg) AS n FROM (${unpivot})
      )
      SELECT leg, ns::DOUBLE AS ns, (rank / n)::DOUBLE AS fraction FROM ranked
      WHERE rank = n OR rank % ((n + ${points} - 1) // ${points}) = 0
      ORDER BY leg, rank`)
  ).getColumnsObjectJS() as unknown as { leg: string[]; ns: number[]; fraction: number[] };
  out.legs = { served, per_vcpu: { cpu: stacked.cpu, leg: stacked.leg, ns: stacked.ns }, cdf: { leg: cdf.leg, ns: cdf.ns, fraction: cdf.fraction } };
  return out;
}
