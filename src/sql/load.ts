/**
 * A trace into DuckDB, part by part: each pass over the trace feeds every
 * batch to the consumers of the parts it builds, in one read, and a part is
 * built the first time a statement reads one of its relations
 * (relations.ts), so a question pays only for what it reads:
 *
 *   meta      `trace_meta`                 (N, the row count and the time range: nearly free)
 *   events    `events`                     (every row copied into DuckDB; a view over a Parquet trace)
 *   vcpus     `vcpus`                      (the `vcpu` rows: a few; from `events` when it is there)
 *   results   `results`, `analysis`        (the three variants' replay)
 *   faults    `faults`                     (a row per fault, as the replay closes it: derived-tables.ts)
 *   intervals `blocked_intervals`          (each vCPU's merged waits, from the same walk)
 *   all_down  `all_down_intervals`         (a view over the others)
 *   migration `phases`, `fault_legs`        (the trace's companion file or the log's phases: no read of the rows)
 *
 * `faults` and `blocked_intervals` are tables the pass fills as the replay
 * closes each wait: their SQL definitions (src/sql/views/) sort the whole
 * trace by page, by thread, by vCPU and start. Built in one pass, both come
 * from one walk; built alone, one costs nothing of the other (a question on
 * `faults` appends no runs). Unless told otherwise (`materialize: false`):
 * then they are those views, over `events`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { VARIANTS } from '../replay/result.js';
import type { OpenOptions } from '../formats/open.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { buildDerivedTablesInWorker, createDerivedTablesConsumer } from './derived-tables.js';
import { type DerivedTable, faultRowStreamAvailable } from './fault-row-stream.js';
import { EVENTS_TABLE_SQL, EventAppender } from './event-appender.js';
import { createEventsView, eventsInPlace } from './events-relation.js';
import type { Relation } from './relations.js';
import { replayConsumer } from './replay-consumer.js';
import { replayInWorker, replayWorkerAvailable } from './replay-worker.js';
import { TraceMetaConsumer, timeRangeOfEvents, writeMetaOf } from './trace-meta-consumer.js';
import { createVcpusConsumer, writeVcpusTable } from './vcpus-table.js';
import { rowStreamAvailable, streamTraceRows } from './trace-row-stream.js';
import { registerTraceRowsFunction } from './trace-rows-function.js';
import { createMigrationTables } from './migration-tables.js';
import { createResultsTables, writeResults } from './trace-tables.js';
import { createView } from './views.js';
import type { TraceWindow } from '../replay/window.js';
import { WINDOW_SCHEMA } from './trace-window.js';

/** What a part puts in the pass: it sees every batch in trace order, then fills what is left of its tables. */
export interface BatchConsumer {
  consume(batch: TraceBatch): void | Promise<void>;
  finish(): Promise<void>;
  /** The pass failed: release what `finish` would have (its tables go with the transaction). */
  abandon?(): Promise<void>;
}

export const PARTS = ['meta', 'events', 'vcpus', 'results', 'faults', 'intervals', 'all_down', 'migration'] as const;
export type Part = (typeof PARTS)[number];

/** What a pass's parts share: where to write, and the trace being read. */
export interface PassContext {
  connection: DuckDBConnection;
  meta: TraceMeta;
  origin: { path: string; format: string };
  /** The parts of this pass that read the trace. */
  reading: readonly Part[];
  /** Whether `faults` and `blocked_intervals` are tables from the replay (or views over `events`). */
  materialize: boolean;
  /** How to open the trace again, when it is a file: a part may read it on its own, in a worker. */
  reopen?: { path: string; open: OpenOptions };
  /** Whether `part` is built: before this pass, or in it. */
  has(part: Part): boolean;
  /** A windowed load: `results` and `analysis` cover this window, in the window's schema (trace-window.ts). */
  window?: TraceWindow;
}

interface PartDefinition {
  relations: readonly Relation[];
  /** Parts whose relations its SQL reads: built before it (in an earlier pass, or earlier in the same one). */
  needs(materialize: boolean): readonly Part[];
  /** Whether it reads the trace: then `consumer` makes its reader, which creates its tables. */
  reads(pass: Pick<PassContext, 'origin' | 'materialize' | 'has'>): boolean;
  /** Undefined: another part's reader in this pass fills its tables too. */
  consumer?(pass: PassContext): Promise<BatchConsumer | undefined>;
  /** After the pass's consumers have finished: what it builds in SQL over the tables there. */
  complete?(pass: PassContext): Promise<void>;
}

const DEFINITIONS: Record<Part, PartDefinition> = {
  meta: {
    relations: ['trace_meta'],
    needs: () => [],
    reads: () => true,
    consumer: async ({ connection, meta, origin }) => new TraceMetaConsumer(connection, meta, origin),
  },
  // A table of its own, not the view over `events` that the SQL definition is: all_down_intervals reads it, and a
  // report would otherwise copy every event into DuckDB for a few rows. Taken from `events` when that is built.
  vcpus: {
    relations: ['vcpus'],
    needs: () => [],
    reads: ({ has }) => !has('events'),
    consumer: async ({ connection }) => createVcpusConsumer(connection),
    complete: async ({ connection, has }) => {
      if (has('events')) await connection.run(`CREATE TABLE vcpus AS SELECT tid, cpu FROM events WHERE kind = 'vcpu' ORDER BY seq`);
    },
  },
  events: {
    relations: ['events'],
    needs: () => [],
    reads: ({ origin }) => !eventsInPlace(origin),
    consumer: async ({ connection }) => {
      await connection.run(EVENTS_TABLE_SQL);
      const appender = await EventAppender.open(connection);
      return { consume: (b) => appender.append(b), finish: async () => appender.close() };
    },
    complete: async ({ connection, origin, reading }) => {
      // Unchecked when this pass has read every row through the reader's checks.
      if (eventsInPlace(origin)) await createEventsView(connection, origin, reading.length === 0);
    },
  },
  results: {
    relations: ['results', 'analysis'],
    needs: () => [],
    reads: () => true,
    consumer: async ({ connection, meta, origin, reading, reopen, window }) => {
      const schema = window ? WINDOW_SCHEMA : 'main';
      await createResultsTables(connection, schema);
      // Beside an append or another replay on this thread, the replay takes the second core.
      if (reopen && replayWorkerAvailable() && reading.some((p) => p !== 'meta' && p !== 'results')) {
        const worker = replayInWorker(reopen.path, reopen.open, window);
        return { consume: () => undefined, finish: async () => writeResults(connection, await worker.results(), schema), abandon: () => worker.terminate() };
      }
      const replay = replayConsumer(meta, [...VARIANTS], origin.path, window);
      return { consume: (b) => replay.consume(b), finish: async () => writeResults(connection, await replay.finish(), schema) };
    },
  },
  faults: {
    relations: ['faults'],
    // The view reads events, trace_meta and vcpus; the replay's rows need none of them.
    needs: (materialize) => (materialize ? [] : ['meta', 'vcpus', 'events']),
    reads: ({ materialize }) => materialize,
    consumer: (pass) => derivedTablesConsumer(pass, 'faults'),
    complete: async ({ connection, materialize }) => {
      if (!materialize) await createView(connection, 'faults');
    },
  },
  intervals: {
    relations: ['blocked_intervals'],
    // The view reads faults; the replay's runs need nothing (a vCPU's runs merged again are merged from themselves).
    needs: (materialize) => (materialize ? [] : ['faults']),
    reads: ({ materialize }) => materialize,
    consumer: (pass) => derivedTablesConsumer(pass, 'intervals'),
    complete: async ({ connection, materialize }) => {
      if (!materialize) await createView(connection, 'blocked_intervals');
    },
  },
  all_down: {
    relations: ['all_down_intervals'],
    needs: () => ['meta', 'vcpus', 'faults', 'intervals'],
    reads: () => false,
    complete: ({ connection }) => createView(connection, 'all_down_intervals'),
  },
  migration: {
    relations: ['phases', 'fault_legs'],
    needs: () => [],
    reads: () => false,
    complete: ({ connection, origin, meta }) => createMigrationTables(connection, origin, meta),
  },
};

/** The parts whose tables the replay's walk fills (derived-tables.ts), and those tables. */
const DERIVED_PARTS = new Map<Part, DerivedTable>([
  ['faults', 'faults'],
  ['intervals', 'blocked_intervals'],
]);

/** The tables of the replay's rows that a pass reading for `reading` fills: one walk for all of them. */
function derivedTablesOf(reading: readonly Part[]): DerivedTable[] {
  return reading.flatMap((p) => DERIVED_PARTS.get(p) ?? []);
}

/** The walk's reader, made by the first of the derived parts in the pass for the tables of all of them. */
async function derivedTablesConsumer({ connection, meta, origin, reading, reopen }: PassContext, part: Part): Promise<BatchConsumer | undefined> {
  if (reading.find((p) => DERIVED_PARTS.has(p)) !== part) return undefined;
  return createDerivedTablesConsumer(connection, meta, origin.path, reopen, derivedTablesOf(reading));
}

const PART_OF = new Map<Relation, Part>(PARTS.flatMap((part) => DEFINITIONS[part].relations.map((r): [Relation, Part] => [r, part])));

/** The parts that hold `relations`, with every part they need, in build order. */
export function partsFor(relations: Iterable<Relation>, materialize = true): Part[] {
  const wanted = new Set<Part>();
  const add = (part: Part): void => {
    if (wanted.has(part)) return;
    wanted.add(part);
    for (const needed of DEFINITIONS[part].needs(materialize)) add(needed);
  };
  for (const r of relations) add(PART_OF.get(r)!);
  return PARTS.filter((p) => wanted.has(p));
}

/** The relations of `parts`. */
export function relationsOf(parts: Iterable<Part>): Relation[] {
  return [...parts].flatMap((p) => DEFINITIONS[p].relations);
}

export interface PassOptions {
  /** Parts built in earlier passes. */
  built?: ReadonlySet<Part>;
  /** How to open the trace again (PassContext.reopen). */
  reopen?: { path: string; open: OpenOptions };
  /** `faults` and `blocked_intervals` as tables from the replay (default), or as their views. */
  materialize?: boolean;
  /** Rows read so far, after each batch. */
  onProgress?(rows: number): void;
  /** `results` and `analysis` for this window (PassContext.window). */
  window?: TraceWindow;
}

export interface LoadSummary {
  /** Rows read (0 when the parts built needed no read). */
  events: number;
  parts: Part[];
  load_s: number;
}

/**
 * Builds `parts` (none of whose relations may exist; those they need must):
 * one read of `source` when any of them reads the trace, then each part's
 * SQL, in build order.
 */
export async function buildParts(connection: DuckDBConnection, source: TraceSource, parts: readonly Part[], opts: PassOptions = {}): Promise<LoadSummary> {
  const t0 = performance.now();
  const origin = { path: source.path, format: source.format };
  const materialize = opts.materialize ?? true;
  const has = (part: Part): boolean => parts.includes(part) || (opts.built?.has(part) ?? false);
  const pass: PassContext = {
    connection,
    meta: source.meta,
    origin,
    materialize,
    has,
    reading: parts.filter((p) => DEFINITIONS[p].reads({ origin, materialize, has })),
    ...(opts.reopen ? { reopen: opts.reopen } : {}),
    ...(opts.window ? { window: opts.window } : {}),
  };
  const consumers: BatchConsumer[] = [];
  let rows = 0;
  try {
    if (pass.reopen && streamsEvents(pass.reading)) rows = await streamEvents(pass, pass.reopen, opts);
    else if (pass.reopen && derivedAlone(pass)) rows = await streamDerived(pass, pass.reopen, opts);
    else {
      for (const part of pass.reading) {
        const consumer = await DEFINITIONS[part].consumer!(pass);
        if (consumer) consumers.push(consumer);
      }
    }
    if (consumers.length > 0) {
      for await (const batch of source.batches()) {
        for (const consumer of consumers) {
          const pending = consumer.consume(batch);
          if (pending) await pending;
        }
        rows += batch.length;
        opts.onProgress?.(rows);
      }
      for (const consumer of consumers) await consumer.finish();
    }
    for (const part of parts) await DEFINITIONS[part].complete?.(pass);
  } catch (err) {
    await Promise.all(consumers.map((c) => c.abandon?.()));
    throw err;
  }
  return { events: rows, parts: [...parts], load_s: (performance.now() - t0) / 1000 };
}

/**
 * Whether a pass that reads only for `events` (and `trace_meta`) gets its
 * rows from a worker instead (trace-row-stream.ts): DuckDB then pulls them
 * into the table on its own thread while the worker reads, where the
 * appender would do both on this one.
 */
function streamsEvents(reading: readonly Part[]): boolean {
  return reading.includes('events') && reading.every((p) => p === 'meta' || p === 'events') && rowStreamAvailable();
}

/**
 * Whether a pass that reads only for `faults` or `blocked_intervals` (and
 * `trace_meta`, `vcpus`) leaves the whole read to the worker that computes
 * their rows (fault-row-stream.ts): this thread then only appends.
 */
function derivedAlone(pass: PassContext): boolean {
  const { reading } = pass;
  return pass.materialize && reading.some((p) => DERIVED_PARTS.has(p)) && reading.every((p) => p === 'meta' || p === 'vcpus' || DERIVED_PARTS.has(p)) && faultRowStreamAvailable();
}

/** `faults`, `blocked_intervals` or both (and `trace_meta`, `vcpus`, if asked) from the worker's walk; returns the row count. */
async function streamDerived(pass: PassContext, reopen: { path: string; open: OpenOptions }, opts: PassOptions): Promise<number> {
  const { connection } = pass;
  const facts = await buildDerivedTablesInWorker(connection, reopen, derivedTablesOf(pass.reading), opts.onProgress);
  if (pass.reading.includes('vcpus')) await writeVcpusTable(connection, facts.vcpuTids, facts.vcpuCpus);
  if (pass.reading.includes('meta')) await writeMetaOf(connection, { ...pass.origin, meta: pass.meta, vcpus: facts.vcpus }, facts.rows, facts.range);
  return facts.rows;
}

let streamedFunctions = 0;

/** `events` (and `trace_meta`, if asked) from a stream of the trace's rows; returns the row count. */
async function streamEvents(pass: PassContext, reopen: { path: string; open: OpenOptions }, opts: PassOptions): Promise<number> {
  const { connection } = pass;
  const stream = streamTraceRows(reopen.path, reopen.open);
  try {
    const streamed = await stream.meta();
    const name = `blocktime_trace_rows_${++streamedFunctions}`;
    const rows = registerTraceRowsFunction(connection, name, stream, opts.onProgress);
    await connection.run(EVENTS_TABLE_SQL);
    try {
      await connection.run(`INSERT INTO events SELECT * FROM ${name}()`);
    } catch (err) {
      // The reader's own error (a malformed row), rather than DuckDB's account of the function that passed it on.
      throw rows.failure() ?? err;
    }
    if (pass.reading.includes('meta')) await writeMetaOf(connection, streamed, stream.rows, await timeRangeOfEvents(connection));
    return stream.rows;
  } finally {
    await stream.close();
  }
}

/** Every part of `source`, in one pass. */
export async function loadTrace(connection: DuckDBConnection, source: TraceSource, opts: PassOptions = {}): Promise<LoadSummary> {
  return buildParts(connection, source, PARTS, opts);
}

/** Every part, from batches in trace order (held in memory, or any iterable of them). */
export async function loadBatches(
  connection: DuckDBConnection,
  meta: TraceMeta,
  batches: Iterable<TraceBatch> | AsyncIterable<TraceBatch>,
  origin: { path: string; format: string },
  opts: PassOptions = {},
): Promise<LoadSummary> {
  const source: TraceSource = {
    ...origin,
    meta,
    async *batches() {
      yield* batches;
    },
    close: async () => undefined,
  };
  return loadTrace(connection, source, opts);
}
