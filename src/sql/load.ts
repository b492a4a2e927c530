/**
 * A trace into DuckDB in one pass: each batch is appended to `events` as the
 * replay engine consumes it, so the `results` of all three variants come
 * from the same read. Then the trace's metadata, the results, and the views;
 * `faults` and `blocked_intervals` are materialized as tables unless told
 * otherwise: the other view and most questions start from them, and their
 * window passes (sorts by page, by thread, by vCPU and start) are the costly
 * part, so they are paid once per load instead of once per query.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { replayBatches } from '../replay/engine.js';
import { VARIANTS } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { openEvents } from './events-relation.js';
import { createTraceTables, writeResults, writeTraceMeta } from './trace-tables.js';
import { MATERIALIZED_VIEWS, createViews } from './views.js';

export interface LoadOptions {
  /** Rows loaded so far, after each batch. */
  onProgress?(rows: number): void;
  /** Build `faults` and `blocked_intervals` as tables (default): worth it when they will be queried more than once. */
  materialize?: boolean;
}

export interface LoadSummary {
  events: number;
  vcpus: number;
  pageSize: number;
  /** Reading, appending and replaying. */
  load_s: number;
  /** Building the `faults` and `blocked_intervals` tables and the other views. */
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
  const appender = await openEvents(connection, origin);
  const onProgress = opts.onProgress;
  async function* appended(): AsyncIterable<TraceBatch> {
    for await (const batch of batches) {
      appender.append(batch);
      onProgress?.(appender.rows);
      yield batch;
    }
  }
  const outcome = await replayBatches(meta, appended(), [...VARIANTS], { file: origin.path });
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
  await createViews(connection, opts.materialize === false ? {} : { materialize: MATERIALIZED_VIEWS });
  return { events: appender.rows, vcpus: exact.vcpus, pageSize: exact.page_size, load_s: (t1 - t0) / 1000, views_s: (performance.now() - t1) / 1000 };
}
