/**
 * `blocktime export --dataset OUT TRACES...`: many traces as one
 * hive-partitioned Parquet dataset that DuckDB, Spark and Trino read as it
 * is, partitioned by `trace`, the id of the trace file's content
 * (trace-id.ts):
 *
 *   OUT/events/trace=<id>/data.parquet    the trace's rows (as `blocktime export`)
 *   OUT/faults/trace=<id>/data.parquet    one row per fault, closed as `exact` does
 *   OUT/results/trace=<id>/data.parquet   the three variants' figures
 *   OUT/traces/trace=<id>/data.parquet    one row: path, format, source, page size, N, ...
 *
 * `traces` is partitioned too, rather than one `traces.parquet`: hosts (or
 * Kubernetes Jobs) exporting their own migrations into one shared dataset
 * then never write the same file. Each trace's export is independent: its
 * four partitions are written into a staging directory under OUT, then each
 * renamed into place, replacing the partition an earlier export of the same
 * content wrote (never duplicating it). A reader listing the dataset while a
 * trace is being replaced may miss that one trace, never see half of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { holdTemporaryPath, releaseTemporaryPath } from '../early-stop.js';
import { asWriteError } from '../errors.js';
import type { OpenOptions } from '../formats/open.js';
import { sqlString } from './copy-to-file.js';
import { duckdbFileError } from './duckdb-file-error.js';
import { openTraceDatabase } from './trace-database.js';
import { traceId } from './trace-id.js';

/** The dataset's tables, each a directory of `trace=<id>` partitions. */
export const DATASET_TABLES = ['events', 'faults', 'results', 'traces'] as const;
export type DatasetTable = (typeof DATASET_TABLES)[number];

/** What each table holds (the partition column `trace` is in the path, not in the files). */
const TABLE_SQL: Record<DatasetTable, string> = {
  events: 'SELECT * FROM events',
  // status and closed_by are DuckDB ENUMs: text for the other engines.
  faults: 'SELECT * REPLACE (CAST(status AS VARCHAR) AS status, CAST(closed_by AS VARCHAR) AS closed_by) FROM faults ORDER BY seq',
  results: 'SELECT * FROM results',
  // JSON as text: a Parquet JSON column is a string to Spark and Trino anyway.
  traces: `SELECT path, format, CAST(source AS VARCHAR) AS source,
    coalesce(source->>'qemu_version', source->>'qemu') AS qemu_version, page_size, vcpus, start_ns, events FROM trace_meta`,
};

/** Parquet 2 encodings and zstd, as `blocktime export` writes (export.ts says why). */
const PARQUET = '(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)';

export interface DatasetOptions {
  open?: OpenOptions;
  /** Traces exported at once (default 1: each load already keeps two cores busy). */
  jobs?: number;
  /** A trace is done: its id, or the error that stopped it. */
  onTrace?(outcome: TraceExport): void;
}

export type TraceExport = { trace: string; id: string; events: number } | { trace: string; error: unknown };

/** Exports every trace; one that fails does not stop the others. Outcomes in trace order. */
export async function exportDataset(traces: readonly string[], out: string, opts: DatasetOptions = {}): Promise<TraceExport[]> {
  await mkdir(out, { recursive: true }).catch((err: unknown) => Promise.reject(asWriteError(err, out)));
  const outcomes: TraceExport[] = new Array<TraceExport>(traces.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < traces.length) {
      const i = next++;
      const trace = traces[i]!;
      let outcome: TraceExport;
      try {
        outcome = { trace, ...(await exportOne(trace, out, opts.open)) };
      } catch (error) {
        outcome = { trace, error };
      }
      outcomes[i] = outcome;
      opts.onTrace?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, traces.length)) }, worker));
  return outcomes;
}

/** One trace's partitions, staged then renamed into place. */
export async function exportOne(trace: string, out: string, open: OpenOptions = {}): Promise<{ id: string; events: number }> {
  const id = await traceId(trace);
  const staging = join(out, `.staging-${id}-${randomBytes(4).toString('hex')}`);
  holdTemporaryPath(staging);
  try {
    const database = await openTraceDatabase(trace, { open, build: { relations: ['trace_meta', 'events', 'faults', 'results'] } });
    let events: number;
    try {
      for (const table of DATASET_TABLES) {
        const dir = join(staging, table);
        await mkdir(dir, { recursive: true }).catch((err: unknown) => Promise.reject(asWriteError(err, dir)));
        await database.connection.run(`COPY (${TABLE_SQL[table]}) TO ${sqlString(join(dir, 'data.parquet'))} ${PARQUET}`).catch((err: unknown) => Promise.reject(duckdbFileError(err) ?? err));
      }
      events = Number((await database.connection.runAndReadAll('SELECT events FROM trace_meta')).getRowsJS()[0]![0]);
    } finally {
      database.close();
    }
    for (const table of DATASET_TABLES) await replacePartition(join(staging, table), join(out, table, `trace=${id}`));
    return { id, events };
  } finally {
    await rm(staging, { recursive: true, force: true });
    releaseTemporaryPath(staging);
  }
}

/** Moves `from` to `to`, replacing a directory already there: the old one is renamed aside first, then removed. */
async function replacePartition(from: string, to: string): Promise<void> {
  await mkdir(join(to, '..'), { recursive: true }).catch((err: unknown) => Promise.reject(asWriteError(err, join(to, '..'))));
  const aside = `${join(to, '..')}/.replaced-${randomBytes(4).toString('hex')}`;
  let replaced = false;
  try {
    await rename(to, aside);
    replaced = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asWriteError(err, to);
  }
  try {
    await rename(from, to);
  } catch (err) {
    // Put the old partition back rather than leave the trace out of the dataset.
    if (replaced) await rename(aside, to).catch(() => undefined);
    throw asWriteError(err, to);
  }
  if (replaced) await rm(aside, { recursive: true, force: true });
}
