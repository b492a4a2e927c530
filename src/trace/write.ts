/**
 * `createTraceWriter`: batches to a file in any writable format, under a
 * temporary name in the target's directory, renamed into place on close()
 * (output-file.ts).
 * `-` streams Arrow IPC (stream format) to stdout.
 */
import { UsageError } from '../errors.js';
import { createOutputFile } from '../output-file.js';
import { subBatch } from './batch.js';
import type { TraceBatch } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import { createArrowEncoder } from './arrow-writer.js';
import { createCsvEncoder } from './csv-writer.js';
import { createNdjsonEncoder } from './ndjson-writer.js';
import { formatFromPath } from './format.js';
import { DEFAULT_BATCH_ROWS, isPowerOfTwo } from './schema.js';
import type { TraceMeta } from './schema.js';
import type { TraceFormat, TraceWriter } from './source.js';

export interface WriterOptions {
  format?: TraceFormat;
  /** Largest record batch written; bigger batches are split. */
  batchRows?: number;
}

export async function createTraceWriter(path: string, meta: TraceMeta, opts: WriterOptions = {}): Promise<TraceWriter> {
  const toStdout = path === '-';
  const format = opts.format ?? (toStdout ? 'arrows' : formatFromPath(path));
  if (format === undefined) {
    throw new UsageError(`${path}: cannot tell the output format from the name; use .arrow, .arrows, .csv or .ndjson, or give the format`);
  }
  if (!isPowerOfTwo(meta.pageSize)) throw new UsageError(`page size ${meta.pageSize} is not a power of two`);
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new UsageError(`batch size ${batchRows} must be a positive integer`);
  const encoder = createEncoder(format, meta, path);
  const sink: ByteSink = toStdout ? stdoutSink() : await createOutputFile(path);
  let state: 'open' | 'closed' | 'aborted' = 'open';
  const ensureOpen = (): void => {
    if (state !== 'open') throw new Error(`trace writer for ${path} is ${state}`);
  };
  return {
    async write(batch: TraceBatch) {
      ensureOpen();
      for (let start = 0; start < batch.length; start += batchRows) {
        const part = start === 0 && batch.length <= batchRows ? batch : subBatch(batch, start, Math.min(batch.length, start + batchRows));
        await sink.write(encoder.encode(part));
      }
    },
    async close() {
      ensureOpen();
      state = 'closed';
      try {
        await sink.write(encoder.finish());
        await sink.commit();
      } catch (err) {
        await sink.discard();
        throw err;
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      await sink.discard();
    },
  };
}

function createEncoder(format: TraceFormat, meta: TraceMeta, path: string): TraceEncoder {
  switch (format) {
    case 'arrow':
      return createArrowEncoder(meta, 'file');
    case 'arrows':
      return createArrowEncoder(meta, 'stream');
    case 'csv':
      return createCsvEncoder(meta);
    case 'ndjson':
      return createNdjsonEncoder(meta);
    case 'parquet':
    case 'qemu-log':
      throw new UsageError(`${path}: cannot write ${format}; write .arrow, .arrows, .csv or .ndjson (Parquet: blocktime export)`);
  }
}

/** Where the encoded bytes go: an OutputFile (temporary name, renamed on commit), or stdout. */
interface ByteSink {
  write(chunks: Uint8Array[]): Promise<void>;
  /** Makes the bytes visible under the final name. */
  commit(): Promise<void>;
  /** Drops what was written; the final name is never touched. */
  discard(): Promise<void>;
}

function stdoutSink(): ByteSink {
  const out = process.stdout;
  return {
    async write(chunks) {
      for (const c of chunks) {
        // Our chunks may be views on the caller's columns: they must leave before write() returns.
        if (!out.write(c.slice())) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
    },
    async commit() {},
    async discard() {},
  };
}
