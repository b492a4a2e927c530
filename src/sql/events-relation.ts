/**
 * Where a load puts the `events` relation, chosen by the trace's format. A
 * Parquet trace is already a columnar file DuckDB scans in place: `events`
 * is a view over it (the replay's reader's conversions, with `seq` from the
 * file's row numbers) and nothing is copied, so a query on `events` alone
 * costs about DuckDB's scan. Any other format is appended, batch by
 * batch, into the `events` table (event-appender.ts), or pulled by DuckDB
 * from a reader thread (trace-row-stream.ts).
 */
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { describeParquet } from '../trace/parquet-schema.js';

/** Whether `events` is a view over the trace file itself. */
export function eventsInPlace(origin: { format: string }): boolean {
  return origin.format === 'parquet';
}

/**
 * The view over a Parquet trace. `checked`: each row's conversions checked
 * as the replay's reader checks them, for a view that no read of the trace
 * has gone through first; unchecked, once a pass of the same load has read
 * every row through the checked SELECT.
 */
export async function createEventsView(connection: DuckDBConnection, origin: { path: string }, checked: boolean): Promise<void> {
  // Absolute: a `--db` file keeps the view, and may be opened from another directory.
  const layout = await describeParquet(connection, resolve(origin.path), origin.path);
  await connection.run(`CREATE VIEW events AS SELECT file_row_number AS seq,\n  ${checked ? layout.select : layout.viewSelect}\nFROM ${layout.scan}`);
}
