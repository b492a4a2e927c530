/**
 * A trace into DuckDB in one pass: each batch is appended to `events` as the
 * replay engine consumes it, so the `results` of all three variants come
 * from the same read. Unless told otherwise, the same pass fills the tables
 * `faults` and `blocked_intervals` (derived-tables.ts), which the other view
 * and most questions start from: their SQL definitions sort the whole trace
 * (by page, by thread, by vCPU and start), where the pass knows each row as
 * the replay closes its wait. Then the trace's metadata, the results, and
 * the views.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { replayBatches } from '../replay/engine.js';
import { VARIANTS } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { DERIVED_TABLES, createDerivedTablesConsumer } from './derived-tables.js';
import { openEvents } from './events-relation.js';
import { createTraceTables, writeResults, writeTraceMeta } from './trace-tables.js';
import { createViews } from './views.js';

export interface LoadOptions {
  /** Rows loaded so far, after each batch. */
  onProgress?(rows: number): void;
  /** Fill `faults` and `blocked_intervals` as tables in the pass (default), or leave them views computed when read. */
  materialize?: boolean;
}

export interface LoadSummary {
  events: number;
  vcpus: number;
  pageSize: number;
  /** Reading, appending and replaying. */
  load_s: number;
  /** Finishing the `faults` and `blocked_intervals` tables (the rows still pending at the end) and creating the views. */
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
  const derived = opts.materialize === false ? undefined : await createDerivedTablesConsumer(connection, meta, origin.path);
  const onProgress = opts.onProgress;
  async function* appended(): AsyncIterable<TraceBatch> {
    for await (const batch of batches) {
      appender.append(batch);
      derived?.consume(batch);
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
  await derived?.finish();
  await createViews(connection, derived ? { existing: DERIVED_TABLES } : {});
  return { events: appender.rows, vcpus: exact.vcpus, pageSize: exact.page_size, load_s: (t1 - t0) / 1000, views_s: (performance.now() - t1) / 1000 };
}
