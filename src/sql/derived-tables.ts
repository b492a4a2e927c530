/**
 * The tables `faults` and `blocked_intervals`, filled during the load's one
 * pass (load.ts) from the rows src/replay/fault-rows.ts computes beside the
 * replay, instead of by the window passes of their SQL definitions
 * (src/sql/views/), which sort the whole trace. Same columns, types and rows
 * as the views (test/sql/derived-tables.test.ts checks it on every fixture
 * and on simulated and generated traces).
 *
 * A load fills one of the two tables or both (load.ts builds each when a
 * statement first reads it); both come from one walk, which computes only
 * the rows of the tables it fills (fault-rows.ts).
 *
 * Rows reach DuckDB as the events do (event-appender.ts): one data chunk at
 * a time, each column copied into its vector in one memcpy, NULLs as a
 * validity bitmap. `status` and `closed_by` are VARCHAR columns sent as ENUM
 * codes, which DuckDB's appender casts to their text a chunk at a time (as
 * fast, measured, as writing DuckDB's string layout ourselves).
 */
import { BIGINT, ENUM, INTEGER, UBIGINT, UINTEGER, type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { walkContext } from '../replay/context.js';
import type { OpenOptions } from '../formats/open.js';
import { CLOSED_BY, FAULT_STATUSES, FaultRows } from '../replay/fault-rows.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import {
  DERIVED_TABLES,
  type DerivedTable,
  type FaultColumns,
  type FaultRowSink,
  type FaultRowStream,
  type RunColumns,
  faultRowStreamAvailable,
  streamFaultRows,
} from './fault-row-stream.js';
import type { Facts } from './trace-facts.js';
import { viewQuery } from './views.js';


/** An ENUM of `names`, in their order (a row's code is its index). */
const enumType = (names: readonly string[]): string => `ENUM(${names.map((n) => `'${n}'`).join(', ')})`;

/** The columns and types of the `faults` view, in its order (no constraints: the view's table has none). */
const FAULTS_TABLE_SQL = `CREATE TABLE faults (
  seq BIGINT, t_ns BIGINT, tid UINTEGER, cpu INTEGER, page UBIGINT, status ${enumType(FAULT_STATUSES)},
  resolve_seq BIGINT, resolve_t_ns BIGINT, closed_by ${enumType(CLOSED_BY)}, end_t_ns BIGINT, latency_ns BIGINT)`;
const BLOCKED_INTERVALS_TABLE_SQL = `CREATE TABLE blocked_intervals (cpu INTEGER, start_ns BIGINT, end_ns BIGINT)`;

export interface DerivedTablesConsumer {
  /** The next batch of the trace, in trace order (the same batches `events` receives). */
  consume(batch: TraceBatch): void;
  /** Writes the rows still pending and closes the appenders; the tables are complete when it resolves. */
  finish(): Promise<void>;
  /** The pass failed: stops the worker, if any. */
  abandon(): Promise<void>;
}

/** Rows per batch a worker hands over: many of DuckDB's chunks, so few messages. */
const WORKER_BATCH_ROWS = 16384;

/**
 * Creates the (empty) `tables` and returns the consumer that fills them.
 * `file` is named in errors about the trace's rows, which are those of the
 * replay (a late `vcpu` row, a bad kind code). Given `reopen` (the trace is
 * a file), the rows are computed by a worker that reads it on its own
 * (fault-row-stream.ts) and this thread only appends them, taking what is
 * ready at each batch of its own read and the rest at the end.
 */
export async function createDerivedTablesConsumer(
  connection: DuckDBConnection,
  meta: TraceMeta,
  file = '<trace>',
  reopen?: { path: string; open: OpenOptions },
  tables: readonly DerivedTable[] = DERIVED_TABLES,
): Promise<DerivedTablesConsumer> {
  const sink = await createTables(connection, tables);
  if (reopen && faultRowStreamAvailable()) {
    const stream = streamFaultRows(reopen.path, reopen.open, { batchRows: WORKER_BATCH_ROWS, tables });
    return {
      consume: () => stream.drain(sink),
      finish: async () => void (await fromWorker(connection, sink, stream)),
      abandon: () => stream.close(),
    };
  }
  const rows = new FaultRows(walkContext(meta, file), sink, sink.chunkRows);
  return {
    consume: (batch) => rows.consume(batch),
    finish: () => complete(connection, sink, rows.finish()),
    abandon: async () => undefined,
  };
}

/**
 * `tables` from a worker's walk alone, with no read on this thread: what
 * the walk saw of the trace (its rows, N, time range, `vcpu` rows) comes
 * back with the last batch, for `trace_meta` and `vcpus`. Progress and the
 * reader's warnings come from the worker too.
 */
export async function buildDerivedTablesInWorker(
  connection: DuckDBConnection,
  reopen: { path: string; open: OpenOptions },
  tables: readonly DerivedTable[],
  onProgress?: (rows: number) => void,
): Promise<Facts> {
  const sink = await createTables(connection, tables);
  const stream = streamFaultRows(reopen.path, reopen.open, { batchRows: WORKER_BATCH_ROWS, tables, warnings: true, ...(onProgress ? { onProgress } : {}) });
  return fromWorker(connection, sink, stream);
}

/** The (empty) tables, and the sink that appends to them. */
async function createTables(connection: DuckDBConnection, tables: readonly DerivedTable[]): Promise<ChunkSink> {
  const faults = tables.includes('faults');
  const runs = tables.includes('blocked_intervals');
  if (faults) await connection.run(FAULTS_TABLE_SQL);
  if (runs) await connection.run(BLOCKED_INTERVALS_TABLE_SQL);
  return new ChunkSink(faults ? await connection.createAppender('faults') : undefined, runs ? await connection.createAppender('blocked_intervals') : undefined);
}

/** The worker's batches still to come, then the tables completed; the worker stopped either way. */
async function fromWorker(connection: DuckDBConnection, sink: ChunkSink, stream: FaultRowStream): Promise<Facts> {
  try {
    const { disordered, facts } = await stream.finish(sink);
    await complete(connection, sink, disordered);
    return facts;
  } finally {
    await stream.close();
  }
}

/** Flushes the appenders, then merges again the runs of the vCPUs the streaming merge could not finish (FaultRows.finish). */
async function complete(connection: DuckDBConnection, sink: ChunkSink, disordered: readonly number[]): Promise<void> {
  sink.close();
  if (disordered.length > 0) await mergeRunsInSql(connection, disordered);
}

/** Where the merged runs wait between their computation and the DELETE of the runs they replace. */
const MERGED_RUNS = 'blocktime_merged_runs';

/**
 * The runs of vCPUs whose waits started out of time order (times going
 * backwards): those written for them cover the union of their intervals
 * but may overlap, and pieces that do not arrive sorted need the sort that
 * the streaming merge does without. The view's own SQL merges them, its
 * `faults` intervals replaced by these pieces (the same union, so the same
 * runs): no need of the table `faults`, which this load may not fill.
 */
async function mergeRunsInSql(connection: DuckDBConnection, cpus: readonly number[]): Promise<void> {
  const list = cpus.join(', ');
  const pieces = `SELECT cpu, start_ns AS t_ns, end_ns AS end_t_ns, 'counted' AS status FROM blocked_intervals WHERE cpu IN (${list})`;
  await connection.run(`CREATE TEMP TABLE ${MERGED_RUNS} AS WITH faults AS (${pieces}) SELECT cpu, start_ns, end_ns FROM (${await viewQuery('blocked_intervals')})`);
  await connection.run(`DELETE FROM blocked_intervals WHERE cpu IN (${list})`);
  await connection.run(`INSERT INTO blocked_intervals SELECT * FROM ${MERGED_RUNS}`);
  await connection.run(`DROP TABLE ${MERGED_RUNS}`);
}

type Column = Uint8Array | Uint32Array | Int32Array;

/** Turns FaultRows' column batches into data chunks for the appenders of the tables being filled. */
class ChunkSink implements FaultRowSink {
  /** DuckDB's vector size: the most rows one data chunk holds. */
  readonly chunkRows = bindings.vector_size();
  /** Present for the tables being filled: the walk computes only the rows its sink takes. */
  readonly faults?: (b: FaultColumns) => void;
  readonly runs?: (b: RunColumns) => void;
  private readonly faultChunk = DuckDBDataChunk.create([
    BIGINT,
    BIGINT,
    UINTEGER,
    INTEGER,
    UBIGINT,
    ENUM([...FAULT_STATUSES]),
    BIGINT,
    BIGINT,
    ENUM([...CLOSED_BY]),
    BIGINT,
    BIGINT,
  ]);
  private readonly runChunk = DuckDBDataChunk.create([INTEGER, BIGINT, BIGINT]);

  constructor(
    private readonly faultAppender: DuckDBAppender | undefined,
    private readonly runAppender: DuckDBAppender | undefined,
  ) {
    if (faultAppender) this.faults = (b) => this.appendFaults(faultAppender, b);
    if (runAppender) this.runs = (b) => this.appendRuns(runAppender, b);
  }

  private appendFaults(appender: DuckDBAppender, b: FaultColumns): void {
    this.append(appender, this.faultChunk, b.length, (chunk, at, n) => {
      fill(chunk, 0, INT64, b.seq, at, n);
      fill(chunk, 1, INT64, b.t, at, n);
      fill(chunk, 2, INT32, b.tid, at, n);
      fill(chunk, 3, INT32, b.cpu, at, n);
      fill(chunk, 4, INT64, b.page, at, n);
      fill(chunk, 5, ENUM_CODE, b.status, at, n);
      fill(chunk, 6, INT64, b.resolveSeq, at, n, b.resolved);
      fill(chunk, 7, INT64, b.resolveT, at, n, b.resolved);
      fill(chunk, 8, ENUM_CODE, b.closedBy, at, n, b.closed);
      fill(chunk, 9, INT64, b.end, at, n, b.closed);
      fill(chunk, 10, INT64, b.latency, at, n, b.closed);
    });
  }

  private appendRuns(appender: DuckDBAppender, b: RunColumns): void {
    this.append(appender, this.runChunk, b.length, (chunk, at, n) => {
      fill(chunk, 0, INT32, b.cpu, at, n);
      fill(chunk, 1, INT64, b.start, at, n);
      fill(chunk, 2, INT64, b.end, at, n);
    });
  }

  /** A batch of `rows` rows of any length: one chunk per `chunkRows` of it, its columns filled by `columns`. */
  private append(appender: DuckDBAppender, chunk: DuckDBDataChunk, rows: number, columns: (chunk: DuckDBDataChunk, at: number, n: number) => void): void {
    for (let at = 0; at < rows; at += this.chunkRows) {
      const n = Math.min(this.chunkRows, rows - at);
      chunk.reset();
      bindings.data_chunk_set_size(chunk.chunk, n);
      columns(chunk, at, n);
      appender.appendDataChunk(chunk);
    }
  }

  /** Flushes what the appenders still buffer and releases them. */
  close(): void {
    this.faultAppender?.closeSync();
    this.runAppender?.closeSync();
  }
}

/** Bytes per row of a vector: BIGINT and UBIGINT (two words in the batches), INTEGER and UINTEGER, a small ENUM's code. */
const INT64 = 8;
const INT32 = 4;
const ENUM_CODE = 1;

/**
 * Copies rows [at, at + rows) of `values` into the chunk's column, and their
 * validity bits when given (`at` is a multiple of the chunk size, so of 8).
 */
function fill(chunk: DuckDBDataChunk, column: number, rowBytes: number, values: Column, at: number, rows: number, validity?: Uint8Array): void {
  const vector = bindings.data_chunk_get_vector(chunk.chunk, column);
  bindings.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + at * rowBytes, rows * rowBytes);
  if (validity) {
    bindings.vector_ensure_validity_writable(vector);
    bindings.copy_data_to_vector_validity(vector, 0, validity.buffer as ArrayBuffer, validity.byteOffset + at / 8, Math.ceil(rows / 8));
  }
}

