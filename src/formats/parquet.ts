/**
 * Parquet: `blocktime export` writes it (with DuckDB), src/trace/parquet-reader.ts
 * reads it, also as other tools write it. A Parquet file is read from its
 * footer, by offsets: a regular, uncompressed file only.
 */
import { UsageError } from '../errors.js';
import type { FormatEntry } from './format.js';

export const PARQUET = {
  name: 'parquet',
  title: 'Parquet',
  extensions: ['.parquet'],
  magic: (head) => Buffer.from(head.buffer, head.byteOffset, Math.min(4, head.length)).toString('latin1') === 'PAR1',
  async open(input, opts) {
    if (input.path === undefined) {
      throw new UsageError(
        input.pipe
          ? `${input.name}: Parquet is read by offsets from its footer, not front to back; give it as a file, not a pipe`
          : `${input.name}: a compressed Parquet file cannot be read in place (Parquet is read by offsets from its footer); decompress it first (Parquet compresses its columns itself)`,
      );
    }
    const { openParquetStream, parquetStreamAvailable } = await import('../trace/parquet-stream.js');
    const { openParquet } = await import('../trace/parquet-reader.js');
    const open = parquetStreamAvailable() ? openParquetStream : openParquet;
    return {
      reader: await open(input.path, input.name, input.size, {
        ...(opts.batchRows !== undefined ? { batchRows: opts.batchRows } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      }),
    };
  },
  writeInstead: 'Parquet: blocktime export',
} as const satisfies FormatEntry;
