/**
 * A trace file's rows read by a worker thread and taken by the main thread
 * synchronously, for DuckDB to pull as a table function (trace-rows-function.ts)
 * while it writes them out: `export` then neither stores the events in a
 * table nor reads the trace on the thread that feeds DuckDB.
 *
 * The worker posts each batch (its columns copied into fresh buffers, which
 * are transferred, not copied again) on a message port, and counts what it
 * posted in shared memory; the main thread takes messages with
 * `receiveMessageOnPort`, waiting on that count when there is none (a table
 * function must answer synchronously), and counts what it took. At most
 * QUEUE batches are in flight: memory stays a few batches, whatever the
 * trace's length. Before the first batch comes the trace's metadata with N,
 * which the worker fixes from the leading `vcpu` rows (as the replay does).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { BlocktimeError, InputError, type InputLocation, UsageError } from '../errors.js';
import { type OpenOptions, openTrace } from '../formats/open.js';
import { VcpuTable, pageShiftOf } from '../replay/context.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';

/** Batches posted and not yet taken, at most. */
const QUEUE = 4;
/** Indexes into the shared counters. */
const POSTED = 0;
const TAKEN = 1;
/** Set by the worker as it exits, however it exits: a main thread blocked in a wait cannot see the Worker's events. */
const EXITED = 2;

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
  | { kind: 'error'; error: { name: string; message: string; exitCode?: number; location?: InputLocation; what?: string } };

interface Task {
  /** Tells this worker's data from that of other workers that load this module. */
  blocktimeRows: true;
  path: string;
  open: OpenOptions;
  counters: SharedArrayBuffer;
  port: MessagePort;
}

const SCRIPT = fileURLToPath(import.meta.url);

/** Whether the stream can run: only from the build (dist/), whose module a worker loads as it is. */
export function rowStreamAvailable(): boolean {
  return SCRIPT.endsWith('.js') && existsSync(SCRIPT);
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
  const counters = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const count = new Int32Array(counters);
  const { port1, port2 } = new MessageChannel();
  const plain = Object.fromEntries(Object.entries(open).filter(([, v]) => typeof v !== 'function')) as OpenOptions;
  const worker = new Worker(SCRIPT, { workerData: { blocktimeRows: true, path, open: plain, counters, port: port2 } satisfies Task, transferList: [port2] });
  let failure: unknown;
  worker.once('error', (err) => (failure = err));
  worker.once('exit', () => exit(count));
  let taken = 0;
  let rows = 0;
  let ended = false;

  /** The next message; undefined when none has been posted (after waiting, if `wait`). */
  const receive = (): Message | undefined => {
    const got = receiveMessageOnPort(port1) as { message: Message } | undefined;
    if (got) {
      taken++;
      Atomics.store(count, TAKEN, taken);
      Atomics.notify(count, TAKEN);
      return got.message;
    }
    if (Atomics.load(count, EXITED) === 1) throw failure ?? new Error('the trace reader stopped before the end of the trace');
    return undefined;
  };
  const failed = (m: Extract<Message, { kind: 'error' }>): Error => revive(m.error);

  return {
    path: path === '-' ? 'stdin' : path,
    async meta() {
      for (;;) {
        const seen = Atomics.load(count, POSTED);
        const m = receive();
        if (m?.kind === 'meta') return m.meta;
        if (m?.kind === 'warning') {
          open.onWarning?.(m.message);
          continue;
        }
        if (m?.kind === 'error') throw failed(m);
        if (m) throw new Error(`the trace reader sent ${m.kind} before the metadata`);
        await Atomics.waitAsync(count, POSTED, seen).value;
      }
    },
    nextSync() {
      if (ended) return undefined;
      for (;;) {
        const seen = Atomics.load(count, POSTED);
        const m = receive();
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
        if (m?.kind === 'error') throw failed(m);
        Atomics.wait(count, POSTED, seen);
      }
    },
    get rows() {
      return rows;
    },
    close: async () => {
      port1.close();
      await worker.terminate();
    },
  };
}

/** Marks the worker gone and wakes a wait for its next message. */
function exit(count: Int32Array): void {
  Atomics.store(count, EXITED, 1);
  Atomics.add(count, POSTED, 1);
  Atomics.notify(count, POSTED);
}

function revive(e: Extract<Message, { kind: 'error' }>['error']): Error {
  if (e.name === 'InputError' && e.location && e.what !== undefined) return new InputError(e.location, e.what);
  if (e.name === 'UsageError') return new UsageError(e.message);
  if (e.exitCode !== undefined) return new BlocktimeError(e.message, e.exitCode);
  return new Error(e.message);
}

/** The worker's side: read, fix N, post the metadata, then every batch. */
async function produce(task: Task): Promise<void> {
  const count = new Int32Array(task.counters);
  let posted = 0;
  const post = (m: Message, transfer: ArrayBuffer[] = []): void => {
    // Never more than QUEUE in flight: wait for the main thread to take one.
    while (posted - Atomics.load(count, TAKEN) >= QUEUE) Atomics.wait(count, TAKEN, Atomics.load(count, TAKEN));
    task.port.postMessage(m, transfer);
    posted++;
    Atomics.store(count, POSTED, posted);
    Atomics.notify(count, POSTED);
  };
  try {
    const source = await openTrace(task.path, { ...task.open, onWarning: (message) => post({ kind: 'warning', message }) });
    try {
      const table = new VcpuTable({
        pageSize: source.meta.pageSize,
        pageShift: pageShiftOf(source.meta.pageSize),
        ...(source.meta.vcpus !== undefined ? { vcpus: source.meta.vcpus } : {}),
        baseNs: 0n,
        file: source.path,
      });
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
    const error =
      err instanceof InputError
        ? { name: 'InputError', message: err.message, location: err.location, what: err.what }
        : err instanceof BlocktimeError
          ? { name: err.name, message: err.message, exitCode: err.exitCode }
          : { name: 'Error', message: err instanceof Error ? err.message : String(err) };
    post({ kind: 'error', error });
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
  process.once('exit', () => exit(new Int32Array((workerData as Task).counters)));
  // No top-level await (see replay-worker.ts); produce() reports its own errors to the port.
  void produce(workerData as Task).finally(() => (workerData as Task).port.close());
}
