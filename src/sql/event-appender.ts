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

export class EventAppender {
  private readonly chunk: DuckDBDataChunk;
  private readonly chunkRows: number;
  /** Row numbers of the current chunk, written as 32-bit halves (no BigInt per row). */
  private readonly seq: BigInt64Array;
  private readonly seqWords: Uint32Array;
  private appended = 0;

  private constructor(private readonly appender: DuckDBAppender) {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    this.chunk = DuckDBDataChunk.create(types);
    this.chunkRows = bindings.vector_size();
    this.seq = new BigInt64Array(this.chunkRows);
    this.seqWords = new Uint32Array(this.seq.buffer);
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
    for (let start = 0; start < batch.length; start += this.chunkRows) {
      const n = Math.min(this.chunkRows, batch.length - start);
      const first = batch.firstRow + start;
      const words = this.seqWords;
      for (let i = 0; i < n; i++) {
        const s = first + i;
        words[2 * i] = s >>> 0;
        words[2 * i + 1] = Math.floor(s / TWO_32);
      }
      this.chunk.reset();
      bindings.data_chunk_set_size(this.chunk.chunk, n);
      this.fill(0, this.seq, 0, n);
      this.fill(1, batch.t, start, n);
      this.fill(2, batch.kind, start, n);
      this.fill(3, batch.tid, start, n);
      this.fill(4, batch.addr, start, n);
      this.fill(5, batch.cpu, start, n);
      this.appender.appendDataChunk(this.chunk);
      this.appended += n;
    }
  }

  /** Flushes what the appender still buffers and releases it. */
  close(): void {
    this.appender.closeSync();
  }

  private fill(column: number, values: Column, start: number, n: number): void {
    const size = values.BYTES_PER_ELEMENT;
    const vector = bindings.data_chunk_get_vector(this.chunk.chunk, column);
    bindings.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * size, n * size);
  }
}
