/**
 * A query's rows, a chunk of DuckDB's vectors at a time, as columns of
 * numbers: what the report's SQL side (timeline-query.ts,
 * latency-cdf-query.ts) streams through its builders without holding every
 * row. Every column must be numeric (cast to DOUBLE, exact below 2^53).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export async function eachChunk(conn: DuckDBConnection, sql: string, take: (columns: number[][], rows: number) => void): Promise<void> {
  const result = await conn.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return;
    take(chunk.getColumns() as number[][], chunk.rowCount);
  }
}
