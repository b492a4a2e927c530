/**
 * A trace into DuckDB in one pass: each batch is appended to `events` as the
 * replay engine consumes it, so the `results` of all three variants come
 * from the same read. Then the trace's metadata, the results, and the views;
 * `faults` is materialized as a table unless told otherwise, because every
 * other view and most questions start from it and its per-page windows are
 * the costly part.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { replayBatches } from '../replay/engine.js';
import { VARIANTS } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { EventAppender } from './event-appender.js';
import { createTraceTables, writeResults, writeTraceMeta } from './trace-tables.js';
import { createViews } from './views.js';

export interface LoadOptions {
  /** N and page size, overriding the trace's metadata (as `analyze` takes them). */
  vcpus?: number;
  pageSize?: number;
  /** Rows loaded so far, after each batch. */
  onProgress?(rows: number): void;
  /** Build `faults` as a table (default): worth it when it will be queried more than once. */
  materializeFaults?: boolean;
}

export interface LoadSummary {
  events: number;
  vcpus: number;
  pageSize: number;
  /** Reading, appending and replaying. */
  load_s: number;
  /** Building the `faults` table and the views. */
  views_s: number;
}

export async function loadTrace(connection: DuckDBConnection, source: TraceSource, opts: LoadOptions = {}): Promise<LoadSummary> {
  return loadBatches(connection, source.meta, source.batches(), { path: source.path, format: source.format }, opts);
}

/** Creates the tables (they must not exist) and fills them from `batches`, in trace order. */
export async function loadBatches(
  connection: DuckDBConnection,
  meta: TraceMeta,
  batches: Iterable<TraceBatch> | AsyncIterable<TraceBatch>,
  origin: { path: string; format: string },
  opts: LoadOptions = {},
): Promise<LoadSummary> {
  const t0 = performance.now();
  await createTraceTables(connection);
  const appender = await EventAppender.open(connection);
  const onProgress = opts.onProgress;
  async function* appended(): AsyncIterable<TraceBatch> {
    for await (const batch of batches) {
      appender.append(batch);
      onProgress?.(appender.rows);
      yield batch;
    }
  }
  const outcome = await replayBatches(meta, appended(), [...VARIANTS], {
    file: origin.path,
    ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
  });
  appender.close();
  const exact = outcome.results.exact;
  if (!exact) throw new Error('the replay returned no exact result');
  await writeTraceMeta(connection, {
    path: origin.path,
    format: origin.format,
    pageSize: exact.page_size,
    vcpus: exact.vcpus,
    ...(meta.startNs !== undefined ? { startNs: meta.startNs } : {}),
    ...(meta.source !== undefined ? { source: JSON.stringify(meta.source) } : {}),
    events: appender.rows,
  });
  await writeResults(connection, outcome.results);
  const t1 = performance.now();
  await createViews(connection, opts.materializeFaults === false ? {} : { materialize: ['faults'] });
  return { events: appender.rows, vcpus: exact.vcpus, pageSize: exact.page_size, load_s: (t1 - t0) / 1000, views_s: (performance.now() - t1) / 1000 };
}
