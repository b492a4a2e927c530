import type { TraceBatch } from './batch.js';
import type { TraceMeta } from './schema.js';

/**
 * An open trace: metadata up front, then one pass over its batches. What the
 * replay, the comparison and the SQL load consume; the format registry
 * (src/formats/open.ts) opens one from a file in any format.
 */
export interface TraceSource {
  /** The input in messages: its path, or `stdin`. */
  readonly path: string;
  /** The name of its format in the registry (src/formats/registry.ts). */
  readonly format: string;
  /** Known before the first batch; every override (vCPU count, page size, start) already applied. */
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
