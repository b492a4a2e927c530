/**
 * A trace loaded into an in-memory DuckDB by src/sql/load.ts (one read: each
 * batch is appended, then replayed through the three variants), with the
 * analysis views over it and the variants' results at hand. The report draws
 * from it; the public API's `openDatabase` and `query` hand it out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { VARIANTS, type AnalysisResult, type VariantName } from '../../replay/result.js';
import { loadTrace as loadIntoDuckDb, type LoadSummary } from '../../sql/load.js';
import type { TraceSource } from '../../trace/source.js';

export interface LoadOptions {
  /** Called with the rows read so far. */
  onRows?(rows: number): void;
}

export interface LoadedTrace {
  readonly connection: DuckDBConnection;
  /** Every variant's result, as `analyze --json` gives it. */
  readonly results: Record<VariantName, AnalysisResult>;
  readonly summary: LoadSummary;
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
    const summary = await loadIntoDuckDb(connection, source, opts.onRows ? { onProgress: opts.onRows } : {});
    return { connection, results: await readResults(connection), summary, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The `analyze --json` objects the load stored in `analysis`. */
async function readResults(connection: DuckDBConnection): Promise<Record<VariantName, AnalysisResult>> {
  const rows = (await connection.runAndReadAll('SELECT variant, result::VARCHAR AS result FROM analysis')).getRowObjectsJS() as Array<{ variant: string; result: string }>;
  const results: Partial<Record<VariantName, AnalysisResult>> = {};
  for (const r of rows) results[r.variant as VariantName] = JSON.parse(r.result) as AnalysisResult;
  for (const v of VARIANTS) if (!results[v]) throw new Error(`the load stored no ${v} result`);
  return results as Record<VariantName, AnalysisResult>;
}
