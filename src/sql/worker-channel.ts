/**
 * What the load's worker threads (replay-worker.ts, trace-row-stream.ts,
 * fault-row-stream.ts) share: a message port with bounded flow, errors that
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
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { BlocktimeError, InputError, type InputLocation, UsageError } from '../errors.js';
import type { OpenOptions } from '../formats/open.js';

/** Messages posted and not yet taken, at most. */
const QUEUE = 4;
/** Indexes into the shared counters. */
const POSTED = 0;
const TAKEN = 1;
const EXITED = 2;

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

/** Reading options without their callbacks, which cannot cross threads (warnings come back as messages). */
export function plainOpenOptions(open: OpenOptions): OpenOptions {
  return Object.fromEntries(Object.entries(open).filter(([, v]) => typeof v !== 'function')) as OpenOptions;
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
  /** The posted count, to wait on when `take` finds nothing. */
  posted(): number;
  close(): Promise<void>;
}

/** Starts `moduleUrl` as a worker with `task` and a channel's other end (in its workerData as `channel`). */
export function startChannelWorker<M>(moduleUrl: string, task: object, whenGone: string): ChannelReceiver<M> {
  const counters = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const count = new Int32Array(counters);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(fileURLToPath(moduleUrl), {
    workerData: { ...task, channel: { counters, port: port2 } satisfies ChannelEnd },
    transferList: [port2],
  });
  let failure: unknown;
  worker.once('error', (err) => (failure = err));
  worker.once('exit', () => markExited(count));
  let taken = 0;
  return {
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
    waitAsync: async (seen) => void (await Atomics.waitAsync(count, POSTED, seen).value),
    posted: () => Atomics.load(count, POSTED),
    async close() {
      port1.close();
      await worker.terminate();
    },
  };
}

/** The worker's end: `post` waits while QUEUE messages are untaken. Marks the exit, however the worker ends. */
export function channelSender<M>(end: ChannelEnd): { post(m: M, transfer?: ArrayBuffer[]): void; close(): void } {
  const count = new Int32Array(end.counters);
  process.once('exit', () => markExited(count));
  let posted = 0;
  return {
    post(m, transfer = []) {
      while (posted - Atomics.load(count, TAKEN) >= QUEUE) Atomics.wait(count, TAKEN, Atomics.load(count, TAKEN));
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
