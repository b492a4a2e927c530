/**
 * The timeline from the SQL relations `blocked_intervals` and
 * `all_down_intervals`, whose definitions sort by time (docs/sql.md): the
 * report's way when it cannot take the runs from the replay as it goes (an
 * open source, read once into DuckDB; a trace whose times go backwards,
 * chart-observer.ts). The rows stream through the same downsampling
 * (timeline-builder.ts), a chunk at a time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Timeline } from './report-data.js';
import { TimelineBuilder } from './timeline-builder.js';
import { eachChunk } from './sql-chunks.js';

export async function queryTimeline(conn: DuckDBConnection, originNs: bigint, vcpus: number, budget: number): Promise<Timeline> {
  const timeline = new TimelineBuilder(vcpus, budget);
  const offsets = `(start_ns - ${originNs})::DOUBLE, (end_ns - ${originNs})::DOUBLE`;
  await eachChunk(conn, `SELECT cpu::DOUBLE, ${offsets} FROM blocked_intervals`, ([cpu, start, end], n) => {
    for (let i = 0; i < n; i++) timeline.run(cpu![i]!, start![i]!, end![i]!);
  });
  await eachChunk(conn, `SELECT ${offsets} FROM all_down_intervals ORDER BY start_ns`, ([start, end], n) => {
    for (let i = 0; i < n; i++) timeline.allDown(start![i]!, end![i]!);
  });
  return timeline.finish();
}
