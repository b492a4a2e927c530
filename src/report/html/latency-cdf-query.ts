/**
 * Each vCPU's latency CDF from the SQL relation `faults` (the `exact`
 * interval of every counted fault; faults still open at the end have no
 * latency and are left out, as in the `exact` figures): the report's way
 * when it reads the trace through DuckDB (timeline-query.ts says when).
 * The latencies stream through latency-cdf.ts, a chunk at a time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WindowReport } from '../../replay/result.js';
import { LatencyCdfBuilder } from './latency-cdf.js';
import type { LatencyCdf } from './report-data.js';
import { eachChunk } from './sql-chunks.js';

/** In a window, the faults resolved inside it (those `exact`'s windowed latencies count). */
export async function queryLatencyCdf(conn: DuckDBConnection, vcpus: number, window?: WindowReport): Promise<LatencyCdf> {
  const inside = window ? ` AND end_t_ns >= ${window.since_ns}${window.until_ns !== null ? ` AND end_t_ns < ${window.until_ns}` : ''}` : '';
  const cdf = new LatencyCdfBuilder(vcpus);
  await eachChunk(
    conn,
    `SELECT cpu::DOUBLE, greatest(latency_ns, 0)::DOUBLE FROM faults
     WHERE status = 'counted' AND cpu >= 0 AND cpu < ${vcpus} AND latency_ns IS NOT NULL${inside}`,
    ([cpu, latency], n) => {
      for (let i = 0; i < n; i++) cdf.add(cpu![i]!, latency![i]!);
    },
  );
  return cdf.finish();
}
