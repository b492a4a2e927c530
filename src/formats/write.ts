/**
 * `createTraceWriter`: batches to a file in any format the registry writes,
 * chosen by the option, else the name; under a temporary name, renamed into
 * place on close(). `-` writes to stdout (an Arrow stream unless told).
 */
import { UsageError } from '../errors.js';
import { createEncodedWriter } from '../trace/encoded-writer.js';
import { DEFAULT_BATCH_ROWS, isPowerOfTwo, type TraceMeta } from '../trace/schema.js';
import type { TraceWriter } from '../trace/source.js';
import { CODECS, withoutCompressionExtension } from './compression.js';
import { WRITABLE_FORMATS, formatEntry, formatExtensions, formatFromPath, orList, type TraceFormat } from './registry.js';

export interface WriterOptions {
  format?: TraceFormat;
  /** Largest record batch written; bigger batches are split. */
  batchRows?: number;
}

export async function createTraceWriter(path: string, meta: TraceMeta, opts: WriterOptions = {}): Promise<TraceWriter> {
  const toStdout = path === '-';
  const extensions = formatExtensions(WRITABLE_FORMATS);
  if (!toStdout && withoutCompressionExtension(path.toLowerCase()) !== path.toLowerCase()) {
    throw new UsageError(`${path}: traces are written uncompressed; write it without the ${orList(CODECS.map((c) => c.extensions[0]!))} ending and compress it afterwards (or write to - and pipe that through gzip)`);
  }
  const format = opts.format ?? (toStdout ? 'arrows' : formatFromPath(path));
  if (format === undefined) {
    throw new UsageError(`${path}: cannot tell the output format from the name; use ${extensions}, or give the format`);
  }
  const entry = formatEntry(format);
  if (!entry.createEncoder) {
    throw new UsageError(`${path}: cannot write ${format}; write ${extensions}${entry.writeInstead ? ` (${entry.writeInstead})` : ''}`);
  }
  if (!isPowerOfTwo(meta.pageSize)) throw new UsageError(`page size ${meta.pageSize} is not a power of two`);
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new UsageError(`batch size ${batchRows} must be a positive integer`);
  return createEncodedWriter(path, await entry.createEncoder(meta), batchRows);
}
