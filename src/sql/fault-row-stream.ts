/**
 * The rows of `faults` and `blocked_intervals`, or of the one being built
 * (src/replay/fault-rows.ts), computed by a worker thread that reads the trace file itself, while the
 * main thread appends them: on two cores the walk over the trace and
 * DuckDB's append, the two halves of building those tables, run side by
 * side instead of one after the other. Column batches cross as transferred
 * buffers on a bounded channel (src/worker-channel.ts), so memory stays a few
 * batches whatever the trace's length.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { type OpenOptions, openTrace } from '../formats/open.js';
import { walkContext } from '../replay/context.js';
import { type BlockedRunBatch, type DerivedRowSink, type FaultRowBatch, FaultRows } from '../replay/fault-rows.js';
import { type Facts, TraceFacts } from './trace-facts.js';
import { type ChannelEnd, ChannelStopped, channelSender, plainOpenOptions, revive, runsInWorker, startChannelWorker, toWire, type WireError } from '../worker-channel.js';

/** A batch's columns as they arrive: FaultRowBatch's fields, without its methods. */
export type FaultColumns = Omit<FaultRowBatch, 'clear'>;
export type RunColumns = BlockedRunBatch;

/** `rows`: the trace's rows read so far. */
type Message =
  | { kind: 'faults'; batch: FaultColumns; rows: number }
  | { kind: 'runs'; batch: RunColumns; rows: number }
  | { kind: 'warning'; message: string }
  | { kind: 'end'; disordered: number[]; facts: Facts }
  | { kind: 'error'; error: WireError };

/** The views whose rows the walk computes, which derived-tables.ts fills as tables instead. */
export const DERIVED_TABLES = ['faults', 'blocked_intervals'] as const;
export type DerivedTable = (typeof DERIVED_TABLES)[number];

interface Task {
  /** Tells this worker's data from that of other workers that load this module. */
  blocktimeFaultRows: true;
  path: string;
  open: OpenOptions;
  batchRows: number;
  /** The tables whose rows the walk computes and posts. */
  tables: readonly DerivedTable[];
  /** Pass the reader's warnings on (when no other read on the main thread gives them). */
  warnings: boolean;
}

/** Whether the rows can be computed in a worker (src/worker-channel.ts). */
export function faultRowStreamAvailable(): boolean {
  return runsInWorker(import.meta.url);
}

/** Takes the batches of the tables the stream was started for: `faults`, `blocked_intervals`'s runs. */
export interface FaultRowSink {
  faults?(batch: FaultColumns): void;
  runs?(batch: RunColumns): void;
}

export interface FaultRowStream {
  /** Hands `sink` the batches already computed, without waiting. */
  drain(sink: FaultRowSink): void;
  /** Hands `sink` every batch left; resolves with the vCPUs left to SQL (FaultRows.finish) and what the walk saw of the trace. */
  finish(sink: FaultRowSink): Promise<{ disordered: number[]; facts: Facts }>;
  close(): Promise<void>;
}

export interface StreamOptions {
  /** Rows per batch, a multiple of 64. */
  batchRows: number;
  /** The tables to compute the rows of: the walk posts no others. */
  tables: readonly DerivedTable[];
  /** The trace's rows read so far, as batches arrive. */
  onProgress?(rows: number): void;
  /** Whether the reader's warnings go to `open.onWarning` (no other read of the trace gives them). */
  warnings?: boolean;
}

/** Starts the worker on the trace file at `path`. */
export function streamFaultRows(path: string, open: OpenOptions, opts: StreamOptions): FaultRowStream {
  const channel = startChannelWorker<Message>(
    import.meta.url,
    { blocktimeFaultRows: true, path, open: plainOpenOptions(open), batchRows: opts.batchRows, tables: opts.tables, warnings: opts.warnings ?? false } satisfies Task,
    'the fault-row worker stopped before the end of the trace',
  );
  let end: { disordered: number[]; facts: Facts } | undefined;
  /** Hands over one message; false when none was waiting. */
  const step = (sink: FaultRowSink): boolean => {
    const m = channel.take();
    if (m === undefined) return false;
    if (m.kind === 'faults' || m.kind === 'runs') {
      if (m.kind === 'faults') sink.faults!(m.batch);
      else sink.runs!(m.batch);
      opts.onProgress?.(m.rows);
    } else if (m.kind === 'warning') open.onWarning?.(m.message);
    else if (m.kind === 'end') end = { disordered: m.disordered, facts: m.facts };
    else throw revive(m.error);
    return true;
  };
  return {
    drain(sink) {
      while (end === undefined && step(sink));
    },
    async finish(sink) {
      while (end === undefined) {
        const seen = channel.posted();
        if (!step(sink)) await channel.waitAsync(seen);
      }
      return end;
    },
    close: () => channel.close(),
  };
}

async function produce(task: Task, post: (m: Message, transfer?: ArrayBuffer[]) => void): Promise<void> {
  try {
    const source = await openTrace(task.path, task.warnings ? { ...task.open, onWarning: (message) => post({ kind: 'warning', message }) } : task.open);
    try {
      const meta = source.meta;
      const facts = new TraceFacts(meta, source.path);
      let read = 0;
      // FaultRows reuses its batches: each crosses as a copy, whose buffers are transferred.
      const sink: DerivedRowSink = {};
      if (task.tables.includes('faults')) {
        sink.faults = (b) => {
          const copy = copyFaults(b);
          post({ kind: 'faults', batch: copy, rows: read }, buffersOf(copy));
        };
      }
      if (task.tables.includes('blocked_intervals')) {
        sink.runs = (b) => {
          const copy: RunColumns = { length: b.length, capacity: b.length, cpu: b.cpu.slice(0, b.length), start: b.start.slice(0, 2 * b.length), end: b.end.slice(0, 2 * b.length) };
          post({ kind: 'runs', batch: copy, rows: read }, buffersOf(copy));
        };
      }
      const rows = new FaultRows(walkContext(meta, source.path), sink, task.batchRows);
      for await (const b of source.batches()) {
        read += b.length;
        facts.consume(b);
        rows.consume(b);
      }
      post({ kind: 'end', disordered: rows.finish(), facts: facts.facts() });
    } finally {
      await source.close();
    }
  } catch (err) {
    // Stopped by the main thread, which wants nothing more.
    if (!(err instanceof ChannelStopped)) post({ kind: 'error', error: toWire(err) });
  }
}

function copyFaults(b: FaultRowBatch): FaultColumns {
  const n = b.length;
  const bits = Math.ceil(n / 8);
  return {
    length: n,
    capacity: n,
    seq: b.seq.slice(0, 2 * n),
    t: b.t.slice(0, 2 * n),
    tid: b.tid.slice(0, n),
    cpu: b.cpu.slice(0, n),
    page: b.page.slice(0, 2 * n),
    status: b.status.slice(0, n),
    resolved: b.resolved.slice(0, bits),
    resolveSeq: b.resolveSeq.slice(0, 2 * n),
    resolveT: b.resolveT.slice(0, 2 * n),
    closed: b.closed.slice(0, bits),
    closedBy: b.closedBy.slice(0, n),
    end: b.end.slice(0, 2 * n),
    latency: b.latency.slice(0, 2 * n),
  };
}

function buffersOf(batch: object): ArrayBuffer[] {
  return Object.values(batch).flatMap((v) => (ArrayBuffer.isView(v) ? [v.buffer as ArrayBuffer] : []));
}

// No top-level await: a module graph with one cannot be require()d, which is how tslab's notebooks load the package.
if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeFaultRows === true) {
  const channel = channelSender<Message>((workerData as { channel: ChannelEnd }).channel);
  void produce(workerData as Task, (m, transfer) => channel.post(m, transfer)).finally(() => channel.close());
}
