import type { TraceBatch } from './batch.js';
import type { TraceMeta } from './schema.js';

export type TraceFormat = 'arrow' | 'arrows' | 'csv' | 'ndjson' | 'parquet' | 'qemu-log';

export interface OpenOptions {
  /** Overrides detection by extension. */
  format?: TraceFormat;
  /** Override the file's metadata (CSV and NDJSON carry none). */
  pageSize?: number;
  vcpus?: number;
  startNs?: bigint;
  /** Rows per batch for readers that build batches themselves (text formats, importers). */
  batchRows?: number;
  /** Legal but noteworthy things (a truncated Arrow stream): the CLI prints them on stderr. */
  onWarning?: (message: string) => void;
  /** Bytes read so far, for progress on long reads. */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

/** An open trace: metadata up front, then one pass over its batches. */
export interface TraceSource {
  readonly path: string;
  readonly format: TraceFormat;
  /** Known before the first batch; options already applied. */
  readonly meta: TraceMeta;
  /** Yields the rows in trace order, validated (vcpu rows first, no duplicate cpu or tid). One pass only. */
  batches(): AsyncIterable<TraceBatch>;
  close(): Promise<void>;
}

export interface TraceWriter {
  write(batch: TraceBatch): Promise<void>;
  /** Flushes, closes and renames the temporary file to its final name. */
  close(): Promise<void>;
  /** Removes the temporary file; the final name is never touched. */
  abort(): Promise<void>;
}
