/**
 * `blocktime export`: a trace's events as Parquet (and, on request, its
 * `faults` as a second file beside it) that DuckDB, Spark or Trino read as
 * they are. The trace's metadata travels in the Parquet key-value metadata
 * under the same keys as in Arrow (`blocktime.page_size`, ...). Both files
 * are written under temporary names and renamed together at the end.
 */
import { UsageError } from '../errors.js';
import { META } from '../trace/schema.js';
import type { OpenOptions } from '../formats/open.js';
import { type PendingCopy, copyToTemporary, sqlString } from './copy-to-file.js';
import { openTraceDatabase } from './trace-database.js';

export interface ExportOptions {
  /** Also write the `faults` table, to `<out without .parquet>.faults.parquet`. */
  faults?: boolean;
  open?: OpenOptions;
  onProgress?(rows: number): void;
  /** Stops reading the trace (exit 130), leaving no file behind. */
  signal?: AbortSignal;
}

export interface ExportSummary {
  events: { path: string; rows: number };
  faults?: { path: string; rows: number };
}

export function faultsPathFor(out: string): string {
  return out.replace(/\.parquet$/i, '') + '.faults.parquet';
}

export async function exportTrace(trace: string, out: string, opts: ExportOptions = {}): Promise<ExportSummary> {
  if (!/\.parquet$/i.test(out)) throw new UsageError(`${out}: expected an output file ending in .parquet`);
  // The replay behind `results` and, unless asked for, `faults` are not built: an export is a read and an append.
  const database = await openTraceDatabase(trace, {
    ...(opts.open ? { open: opts.open } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    build: { relations: ['trace_meta', 'events', ...(opts.faults ? (['faults'] as const) : [])] },
  });
  const pending: PendingCopy[] = [];
  try {
    const connection = database.connection;
    const meta = (await connection.runAndReadAll('SELECT page_size, vcpus, start_ns, source FROM trace_meta')).getRowsJS()[0]!;
    const [pageSize, vcpus, startNs, source] = meta;
    const kv = [
      [META.pageSize, String(pageSize)],
      [META.vcpus, String(vcpus)],
      ...(startNs !== null ? [[META.startNs, String(startNs)]] : []),
      ...(source !== null ? [[META.source, String(source)]] : []),
    ];
    // Parquet's version 2 encodings (delta-packed integers: seq and t_ns nearly vanish) halve the writer's time and shrink the file.
    const kvMetadata = `PARQUET_VERSION v2, KV_METADATA {${kv.map(([k, v]) => `${sqlString(k!)}: ${sqlString(v!)}`).join(', ')}}`;
    // The table in insertion order, which is seq order (DuckDB keeps it: preserve_insertion_order), without a sort.
    const events = await copyToTemporary(connection, 'events', out, kvMetadata);
    pending.push(events);
    const summary: ExportSummary = { events: { path: out, rows: events.rows } };
    if (opts.faults) {
      const path = faultsPathFor(out);
      const faults = await copyToTemporary(connection, 'SELECT * FROM faults ORDER BY seq', path, kvMetadata);
      pending.push(faults);
      summary.faults = { path, rows: faults.rows };
    }
    for (const p of pending) await p.commit();
    return summary;
  } catch (err) {
    await Promise.all(pending.map((p) => p.abort()));
    throw err;
  } finally {
    database.close();
  }
}
