/**
 * A trace file's rows read by a worker thread and taken by the main thread
 * synchronously, for DuckDB to pull as a table function (trace-rows-function.ts)
 * while it writes them out: `export` then neither stores the events in a
 * table nor reads the trace on the thread that feeds DuckDB.
 *
 * The worker posts each batch (its columns copied into fresh buffers, which
 * are transferred, not copied again) on a bounded channel (src/worker-channel.ts),
 * which the main thread can take from synchronously, as a table function must
 * answer. Before the first batch comes the trace's metadata with N, which the
 * worker fixes from the leading `vcpu` rows (as the replay does).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { type OpenOptions, openTrace } from '../formats/open.js';
import { VcpuTable, walkContext } from '../replay/context.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import { type ChannelEnd, ChannelStopped, channelSender, plainOpenOptions, revive, runsInWorker, startChannelWorker, toWire, type WireError } from '../worker-channel.js';

/** What the worker knows once N is fixed: the trace's metadata as `trace_meta` holds it. */
export interface StreamedMeta {
  path: string;
  format: string;
  meta: TraceMeta;
  /** N, the vCPU count the replay would use. */
  vcpus: number;
}

type Message =
  | { kind: 'meta'; meta: StreamedMeta }
  | { kind: 'batch'; batch: TraceBatch }
  | { kind: 'end'; rows: number }
  | { kind: 'warning'; message: string }
  | { kind: 'error'; error: WireError };

interface Task {
  /** Tells this worker's data from that of other workers that load this module. */
  blocktimeRows: true;
  path: string;
  open: OpenOptions;
}

/** Whether the stream can run (src/worker-channel.ts). */
export function rowStreamAvailable(): boolean {
  return runsInWorker(import.meta.url);
}

export interface TraceRowStream {
  /** The trace in messages. */
  readonly path: string;
  /** Waits (asynchronously) for the metadata, which comes before any row. */
  meta(): Promise<StreamedMeta>;
  /** The next batch, waiting for the worker if need be (blocking this thread); undefined at the end. Throws the worker's error. */
  nextSync(): TraceBatch | undefined;
  /** Rows taken so far. */
  readonly rows: number;
  /** Stops the worker. */
  close(): Promise<void>;
}

/** `open`'s warnings are the reader's, passed on from the worker in their place among the rows. */
export function streamTraceRows(path: string, open: OpenOptions): TraceRowStream {
  const channel = startChannelWorker<Message>(import.meta.url, { blocktimeRows: true, path, open: plainOpenOptions(open) } satisfies Task, 'the trace reader stopped before the end of the trace');
  let rows = 0;
  let ended = false;

  return {
    path: path === '-' ? 'stdin' : path,
    async meta() {
      for (;;) {
        const m = await channel.receive();
        if (m.kind === 'meta') return m.meta;
        if (m.kind === 'warning') open.onWarning?.(m.message);
        else if (m.kind === 'error') throw revive(m.error);
        else throw new Error(`the trace reader sent ${m.kind} before the metadata`);
      }
    },
    nextSync() {
      if (ended) return undefined;
      for (;;) {
        const seen = channel.posted();
        const m = channel.take();
        if (m?.kind === 'batch') {
          rows += m.batch.length;
          return m.batch;
        }
        if (m?.kind === 'end') {
          ended = true;
          return undefined;
        }
        if (m?.kind === 'warning') {
          open.onWarning?.(m.message);
          continue;
        }
        if (m?.kind === 'error') throw revive(m.error);
        channel.waitSync(seen);
      }
    },
    get rows() {
      return rows;
    },
    close: () => channel.close(),
  };
}

/** The worker's side: read, fix N, post the metadata, then every batch. */
async function produce(task: Task, channel: ReturnType<typeof channelSender<Message>>): Promise<void> {
  const post = (m: Message, transfer?: ArrayBuffer[]): void => channel.post(m, transfer);
  try {
    const source = await openTrace(task.path, { ...task.open, onWarning: (message) => post({ kind: 'warning', message }) });
    try {
      const table = new VcpuTable(walkContext(source.meta, source.path));
      const held: TraceBatch[] = [];
      let fixed = false;
      const sendMeta = (): void => {
        post({ kind: 'meta', meta: { path: source.path, format: source.format, meta: source.meta, vcpus: table.fix() } });
        fixed = true;
        for (const b of held.splice(0)) post({ kind: 'batch', batch: b }, buffersOf(b));
      };
      let rows = 0;
      for await (const b of source.batches()) {
        rows += b.length;
        const own = copyBatch(b);
        if (fixed) post({ kind: 'batch', batch: own }, buffersOf(own));
        else {
          held.push(own);
          if (table.lead(b, 0) < b.length) sendMeta();
        }
      }
      if (!fixed) sendMeta();
      post({ kind: 'end', rows });
    } finally {
      await source.close();
    }
  } catch (err) {
    // Stopped by the main thread, which wants nothing more.
    if (!(err instanceof ChannelStopped)) post({ kind: 'error', error: toWire(err) });
  }
}

/** The batch in buffers of its own, which can be transferred (a reader's batch may view a larger, shared one). */
function copyBatch(b: TraceBatch): TraceBatch {
  return { length: b.length, firstRow: b.firstRow, t: b.t.slice(), kind: b.kind.slice(), tid: b.tid.slice(), addr: b.addr.slice(), cpu: b.cpu.slice() };
}

function buffersOf(b: TraceBatch): ArrayBuffer[] {
  return [b.t, b.kind, b.tid, b.addr, b.cpu].map((a) => a.buffer as ArrayBuffer);
}

if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeRows === true) {
  const channel = channelSender<Message>((workerData as { channel: ChannelEnd }).channel);
  // No top-level await: a module graph with one cannot be require()d, which is how tslab's notebooks load the package.
  // produce() reports its own errors on the channel.
  void produce(workerData as Task, channel).finally(() => channel.close());
}
