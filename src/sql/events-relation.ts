/**
 * Where a load puts the `events` relation, chosen by the trace's format. A
 * Parquet trace is already a columnar file DuckDB scans in place: `events`
 * is a view over it (the replay's reader's conversions, with `seq` from the
 * file's row numbers) and nothing is copied, so a query on `events` alone
 * costs about DuckDB's scan. Any other format is appended, batch by
 * batch, into the `events` table (event-appender.ts).
 */
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TraceBatch } from '../trace/batch.js';
import { describeParquet } from '../trace/parquet-schema.js';
import { EventAppender } from './event-appender.js';

/** What a load hands each batch to, in trace order. */
export interface EventsSink {
  /** Rows handed so far. */
  readonly rows: number;
  append(batch: TraceBatch): void;
  close(): void;
}

/** After createTraceTables, which makes the `events` table every other format fills. */
export async function openEvents(connection: DuckDBConnection, origin: { path: string; format: string }): Promise<EventsSink> {
  if (origin.format !== 'parquet') return EventAppender.open(connection);
  // Absolute: a `--db` file keeps the view, and may be opened from another directory.
  const layout = await describeParquet(connection, resolve(origin.path), origin.path);
  await connection.run('DROP TABLE events');
  // Unchecked conversions: the load's replay reads every row through the checked SELECT before any query runs.
  await connection.run(`CREATE VIEW events AS SELECT file_row_number AS seq,\n  ${layout.viewSelect}\nFROM ${layout.scan}`);
  let rows = 0;
  return {
    get rows() {
      return rows;
    },
    append(batch) {
      rows += batch.length;
    },
    close() {},
  };
}
