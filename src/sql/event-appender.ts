/**
 * Loads TraceBatches into the `events` table through DuckDB's appender, one
 * data chunk (at most DuckDB's vector size, 2048 rows) at a time. Each column
 * is copied into its vector in one memcpy from the batch's typed array: the
 * layouts already agree (BIGINT = BigInt64Array, UBIGINT = BigUint64Array,
 * UINTEGER = Uint32Array, INTEGER = Int32Array, and a three-value ENUM is
 * stored as its uint8 index, which is our kind code). No row objects, no
 * BigInt per row.
 */
import { type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import type { TraceBatch } from '../trace/batch.js';
import { KIND_SQL_TYPE } from '../trace/schema.js';

/** The enum's value order is the kind code order, so a code is its enum index. */

export const EVENTS_TABLE_SQL = `CREATE TABLE events (
  seq BIGINT NOT NULL,
  t_ns BIGINT NOT NULL,
  kind ${KIND_SQL_TYPE} NOT NULL,
  tid UINTEGER NOT NULL,
  addr UBIGINT NOT NULL,
  cpu INTEGER NOT NULL
)`;

const TWO_32 = 4294967296;

type Column = BigInt64Array | BigUint64Array | Uint8Array | Uint32Array | Int32Array;

/**
 * Writes rows of a batch into a data chunk with the columns of `events`:
 * the row numbers from `firstRow` (as 32-bit halves, no BigInt per row),
 * then each column in one memcpy.
 */
export class EventsChunkFiller {
  readonly chunkRows = bindings.vector_size();
  private readonly seq = new BigInt64Array(this.chunkRows);
  private readonly seqWords = new Uint32Array(this.seq.buffer);

  /** Rows [start, start + n) of `batch`, n at most `chunkRows`; sets the chunk's size. */
  fill(chunk: DuckDBDataChunk, batch: TraceBatch, start: number, n: number): void {
    const first = batch.firstRow + start;
    const words = this.seqWords;
    for (let i = 0; i < n; i++) {
      const s = first + i;
      words[2 * i] = s >>> 0;
      words[2 * i + 1] = Math.floor(s / TWO_32);
    }
    bindings.data_chunk_set_size(chunk.chunk, n);
    copy(chunk, 0, this.seq, 0, n);
    copy(chunk, 1, batch.t, start, n);
    copy(chunk, 2, batch.kind, start, n);
    copy(chunk, 3, batch.tid, start, n);
    copy(chunk, 4, batch.addr, start, n);
    copy(chunk, 5, batch.cpu, start, n);
  }
}

function copy(chunk: DuckDBDataChunk, column: number, values: Column, start: number, n: number): void {
  const size = values.BYTES_PER_ELEMENT;
  const vector = bindings.data_chunk_get_vector(chunk.chunk, column);
  bindings.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * size, n * size);
}

export class EventAppender {
  private readonly chunk: DuckDBDataChunk;
  private readonly filler = new EventsChunkFiller();
  private appended = 0;

  private constructor(private readonly appender: DuckDBAppender) {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    this.chunk = DuckDBDataChunk.create(types);
  }

  /** The `events` table must exist (EVENTS_TABLE_SQL). */
  static async open(connection: DuckDBConnection): Promise<EventAppender> {
    return new EventAppender(await connection.createAppender('events'));
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.appended;
  }

  append(batch: TraceBatch): void {
    const chunkRows = this.filler.chunkRows;
    for (let start = 0; start < batch.length; start += chunkRows) {
      const n = Math.min(chunkRows, batch.length - start);
      this.chunk.reset();
      this.filler.fill(this.chunk, batch, start, n);
      this.appender.appendDataChunk(this.chunk);
      this.appended += n;
    }
  }

  /** Flushes what the appender still buffers and releases it. */
  close(): void {
    this.appender.closeSync();
  }
}
