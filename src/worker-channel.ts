/**
 * What the worker threads that read a trace file beside the main thread
 * share (the SQL load's in src/sql/, the report's, the Parquet reader's): a message port with bounded flow, errors that
 * cross the thread boundary as plain fields and come back as the same typed
 * errors, and whether a module can run in a worker at all.
 *
 * Flow: the worker counts what it posted in shared memory and waits while
 * QUEUE messages are untaken; the main thread takes messages with
 * `receiveMessageOnPort` (no event loop turn needed, so it can also take them
 * synchronously, from inside a DuckDB callback), counts what it took, and
 * waits on the posted count when there is none. Memory stays a few messages,
 * whatever the trace's length. The worker marks its exit in the same memory:
 * a main thread blocked in a wait cannot see the Worker's events.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { BlocktimeError, InputError, type InputLocation, UsageError } from './errors.js';

/**
 * Messages posted and not yet taken, at most: a batch each, a few MB in all.
 * Deep enough to ride out the taker's bursts (DuckDB's appender compresses a
 * row group now and then): with 4, the fault-row worker spent 1.6 s of the
 * 20M-event p99 query blocked in `post` while the main thread was busy, and
 * the query took 12% longer than with 16.
 */
const QUEUE = 16;
/** Indexes into the shared counters. */
const POSTED = 0;
const TAKEN = 1;
const EXITED = 2;
/** Set by the main thread's `close`: the worker is to stop at its next post. */
const STOPPED = 3;
const COUNTERS = 4;

/** What `post` throws once the main thread has closed the channel: the worker stops, closing what it holds. */
export class ChannelStopped extends Error {
  constructor() {
    super('the main thread closed the channel');
  }
}

/** An error as it crosses threads. */
export interface WireError {
  name: string;
  message: string;
  exitCode?: number;
  location?: InputLocation;
  what?: string;
}

export function toWire(err: unknown): WireError {
  if (err instanceof InputError) return { name: 'InputError', message: err.message, location: err.location, what: err.what };
  if (err instanceof BlocktimeError) return { name: err.name, message: err.message, exitCode: err.exitCode };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** The typed error `toWire` was given (InputError, UsageError, another BlocktimeError with its exit code, or a plain Error). */
export function revive(e: WireError): Error {
  if (e.name === 'InputError' && e.location && e.what !== undefined) return new InputError(e.location, e.what);
  if (e.name === 'UsageError') return new UsageError(e.message);
  if (e.exitCode !== undefined) return new BlocktimeError(e.message, e.exitCode);
  return new Error(e.message);
}

/**
 * Whether the module at `moduleUrl` can be a worker's script: only from the
 * build (dist/), which a worker loads as it is; run from the TypeScript
 * sources (the tests), its work stays on the main thread.
 */
export function runsInWorker(moduleUrl: string): boolean {
  const script = fileURLToPath(moduleUrl);
  return script.endsWith('.js') && existsSync(script);
}

/** A worker that does one task and posts back its outcome. */
export interface OneShotWorker<R> {
  /** What the task gave, or its error as the same typed error. */
  outcome(): Promise<R>;
  /** Stops the worker (the work it was part of failed, or it has answered). */
  terminate(): Promise<void>;
}

type OneShotReply<R> = { ok: R } | { error: WireError };

/** Starts `moduleUrl` as a worker with `task` as its workerData; `what` names it in the error when it exits without answering. */
export function startOneShotWorker<R>(moduleUrl: string, task: object, what: string): OneShotWorker<R> {
  const worker = new Worker(fileURLToPath(moduleUrl), { workerData: task });
  const outcome = new Promise<R>((resolve, reject) => {
    worker.once('message', (reply: OneShotReply<R>) => ('ok' in reply ? resolve(reply.ok) : reject(revive(reply.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${what} exited (${code}) without its results`)));
  });
  // Taken by `outcome()`, or dropped with the work that failed.
  outcome.catch(() => undefined);
  return { outcome: () => outcome, terminate: async () => void (await worker.terminate()) };
}

/** The worker's side of startOneShotWorker: runs `work`, then posts what it gave, or its error as plain fields. */
export function answerOnce<R>(work: () => Promise<R>): void {
  const port = parentPort!;
  void work().then(
    (ok) => port.postMessage({ ok } satisfies OneShotReply<R>),
    (err: unknown) => port.postMessage({ error: toWire(err) } satisfies OneShotReply<R>),
  );
}

/** Reading options without their callbacks, which cannot cross threads (warnings come back as messages). */
export function plainOpenOptions<T extends object>(open: T): T {
  return Object.fromEntries(Object.entries(open).filter(([, v]) => typeof v !== 'function')) as T;
}

/** What a worker started by `startChannelWorker` gets in its workerData, beside its task. */
export interface ChannelEnd {
  counters: SharedArrayBuffer;
  port: MessagePort;
}

/** The main thread's end of a worker's channel. */
export interface ChannelReceiver<M> {
  /** The next message, if one was posted; throws once the worker is gone with none left. */
  take(): M | undefined;
  /** Blocks this thread until a message is posted after `seen` (or the worker exits). */
  waitSync(seen: number): void;
  waitAsync(seen: number): Promise<void>;
  /** The next message, waiting for it without blocking this thread; throws once the worker is gone with none left. */
  receive(): Promise<M>;
  /** The posted count, to wait on when `take` finds nothing. */
  posted(): number;
  close(): Promise<void>;
}

/** Starts `moduleUrl` as a worker with `task` and a channel's other end (in its workerData as `channel`). */
export function startChannelWorker<M>(moduleUrl: string, task: object, whenGone: string): ChannelReceiver<M> {
  const counters = new SharedArrayBuffer(COUNTERS * Int32Array.BYTES_PER_ELEMENT);
  const count = new Int32Array(counters);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(fileURLToPath(moduleUrl), {
    workerData: { ...task, channel: { counters, port: port2 } satisfies ChannelEnd },
    transferList: [port2],
  });
  let failure: unknown;
  worker.once('error', (err) => (failure = err));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      markExited(count);
      resolve();
    }),
  );
  let taken = 0;
  const waitAsync = async (seen: number): Promise<void> => void (await Atomics.waitAsync(count, POSTED, seen).value);
  const receiver: ChannelReceiver<M> = {
    take() {
      const got = receiveMessageOnPort(port1) as { message: M } | undefined;
      if (got) {
        taken++;
        Atomics.store(count, TAKEN, taken);
        Atomics.notify(count, TAKEN);
        return got.message;
      }
      if (Atomics.load(count, EXITED) === 1) throw failure ?? new Error(whenGone);
      return undefined;
    },
    waitSync: (seen) => void Atomics.wait(count, POSTED, seen),
    waitAsync,
    async receive() {
      for (;;) {
        const seen = Atomics.load(count, POSTED);
        const m = receiver.take();
        if (m !== undefined) return m;
        await waitAsync(seen);
      }
    },
    posted: () => Atomics.load(count, POSTED),
    async close() {
      Atomics.store(count, STOPPED, 1);
      Atomics.notify(count, TAKEN);
      port1.close();
      // Told to stop, a worker ends at its next post and closes what it holds: DuckDB aborts the whole process when
      // the thread its instance lives on is terminated under it. One that does not end within a second is terminated.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
  return receiver;
}

/** How long `close` waits for a worker told to stop. */
const STOP_WAIT_MS = 1000;

/**
 * The worker's end: `post` waits while QUEUE messages are untaken, and
 * throws ChannelStopped once the main thread has closed its end. Marks the
 * exit, however the worker ends.
 */
export function channelSender<M>(end: ChannelEnd): { post(m: M, transfer?: ArrayBuffer[]): void; close(): void } {
  const count = new Int32Array(end.counters);
  process.once('exit', () => markExited(count));
  let posted = 0;
  return {
    post(m, transfer = []) {
      for (;;) {
        if (Atomics.load(count, STOPPED) === 1) throw new ChannelStopped();
        const taken = Atomics.load(count, TAKEN);
        if (posted - taken < QUEUE) break;
        Atomics.wait(count, TAKEN, taken);
      }
      end.port.postMessage(m, transfer);
      posted++;
      Atomics.store(count, POSTED, posted);
      Atomics.notify(count, POSTED);
    },
    close: () => end.port.close(),
  };
}

/** Marks the worker gone and wakes a wait for its next message. */
function markExited(count: Int32Array): void {
  Atomics.store(count, EXITED, 1);
  Atomics.add(count, POSTED, 1);
  Atomics.notify(count, POSTED);
}
