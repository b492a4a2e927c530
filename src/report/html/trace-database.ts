/**
 * A trace loaded into an in-memory DuckDB, with the analysis views of
 * src/sql/ over it, and the three variants' results: one read of the trace
 * feeds both (each batch is appended to DuckDB, then replayed). The report
 * draws from it; the public API's `openDatabase` and `query` hand it out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { replayBatches, type ReplayTiming } from '../../replay/engine.js';
import { VARIANTS, type AnalysisResult, type VariantName } from '../../replay/result.js';
import { EventAppender } from '../../sql/event-appender.js';
import { createTraceTables, writeResults, writeTraceMeta } from '../../sql/trace-tables.js';
import { createViews } from '../../sql/views.js';
import type { TraceBatch } from '../../trace/batch.js';
import type { TraceSource } from '../../trace/source.js';

export interface LoadOptions {
  /** N, overriding the trace's metadata. */
  vcpus?: number;
  /** Called with the rows read so far. */
  onRows?(rows: number): void;
}

export interface LoadedTrace {
  readonly connection: DuckDBConnection;
  /** Every variant's result, as `analyze --json` gives it. */
  readonly results: Record<VariantName, AnalysisResult>;
  readonly timing: ReplayTiming;
  /** Releases DuckDB and its spill directory. */
  close(): Promise<void>;
}

/**
 * Reads `source` once (the caller closes it) into tables `events`,
 * `trace_meta`, `results`, `analysis` and the views `vcpus`, `faults`,
 * `blocked_intervals`, `all_down_intervals`.
 */
export async function loadTrace(source: TraceSource, opts: LoadOptions = {}): Promise<LoadedTrace> {
  // DuckDB spills to disk past its memory limit: into a directory of ours, not the user's working directory.
  const spill = await mkdtemp(join(tmpdir(), 'blocktime-db-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: spill });
  const connection = await instance.connect();
  const close = async (): Promise<void> => {
    connection.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  };
  try {
    await createTraceTables(connection);
    const appender = await EventAppender.open(connection);
    const outcome = await replayBatches(source.meta, tee(source.batches(), appender), [...VARIANTS], {
      file: source.path,
      ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
      ...(opts.onRows ? { onProgress: opts.onRows } : {}),
    });
    appender.close();
    const results = outcome.results as Record<VariantName, AnalysisResult>;
    await writeTraceMeta(connection, {
      path: source.path,
      format: source.format,
      pageSize: results.exact.page_size,
      vcpus: results.exact.vcpus,
      ...(source.meta.startNs !== undefined ? { startNs: source.meta.startNs } : {}),
      ...(source.meta.source ? { source: JSON.stringify(source.meta.source) } : {}),
      events: outcome.timing.events,
    });
    await writeResults(connection, results);
    await createViews(connection);
    return { connection, results, timing: outcome.timing, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Appends each batch to DuckDB before the replay sees it (the appender copies, so the reader may reuse the batch afterwards). */
async function* tee(batches: AsyncIterable<TraceBatch>, appender: EventAppender): AsyncIterable<TraceBatch> {
  for await (const b of batches) {
    appender.append(b);
    yield b;
  }
}
