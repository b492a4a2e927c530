/**
 * Each vCPU's latency CDF, from the SQL view `faults` (the `exact` interval
 * of every counted fault; faults still open at the end have no latency and
 * are left out, as in the `exact` figures). A vCPU with many faults is drawn
 * from `CDF_POINTS` of its sorted latencies at evenly spaced ranks, its
 * largest included: each point is exact, only the steps between them are
 * thinned.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LatencyCdf } from './report-data.js';
import type { WindowReport } from '../../replay/window.js';

export const CDF_POINTS = 256;

/** In a window, the faults resolved inside it (those `exact`'s windowed latencies count). */
export async function queryLatencyCdf(conn: DuckDBConnection, vcpus: number, window?: WindowReport, points = CDF_POINTS): Promise<LatencyCdf> {
  const inside = window ? ` AND end_t_ns >= ${window.since_ns}${window.until_ns !== null ? ` AND end_t_ns < ${window.until_ns}` : ''}` : '';
  const reader = await conn.runAndReadAll(`
    WITH ranked AS (
      SELECT cpu, latency_ns,
        row_number() OVER (PARTITION BY cpu ORDER BY latency_ns) AS rank,
        count(*) OVER (PARTITION BY cpu) AS n
      FROM faults
      WHERE status = 'counted' AND cpu >= 0 AND cpu < ${vcpus} AND latency_ns IS NOT NULL${inside}
    )
    SELECT cpu::INTEGER AS cpu, greatest(latency_ns, 0)::DOUBLE AS latency_ns, (rank / n)::DOUBLE AS fraction
    FROM ranked
    WHERE rank = n OR rank % ((n + ${points} - 1) // ${points}) = 0
    ORDER BY cpu, rank`);
  const c = reader.getColumnsObjectJS() as unknown as Record<keyof LatencyCdf, number[]>;
  return { cpu: c.cpu ?? [], latency_ns: c.latency_ns ?? [], fraction: c.fraction ?? [] };
}
