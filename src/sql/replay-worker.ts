/**
 * The three variants' replay of a trace file in a worker thread, beside a
 * load pass that reads the same file on the main thread (the append, the
 * derived tables): the replay is the pass's largest single cost after
 * DuckDB's, and a second core takes it whole. The worker reads the file
 * itself (the page cache serves the second read), so no batch crosses
 * threads; it posts back the results, or its error as plain fields that the
 * main thread turns back into the same typed error.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BlocktimeError, InputError, type InputLocation, UsageError } from '../errors.js';
import { type OpenOptions, openTrace } from '../formats/open.js';
import { replayTrace } from '../replay/engine.js';
import { type AnalysisResult, VARIANTS, type VariantName } from '../replay/result.js';
import type { TraceWindow } from '../replay/window.js';

type Results = Partial<Record<VariantName, AnalysisResult>>;

interface Task {
  /** Tells this worker's data from that of other workers that load this module (a test runner's). */
  blocktimeReplay: true;
  path: string;
  /** The reading options without their callbacks (warnings and progress come from the main thread's own read). */
  open: OpenOptions;
  window?: TraceWindow;
}

type Reply = { results: Results } | { error: { kind: string; message: string; exitCode?: number; location?: InputLocation; what?: string } };

const SCRIPT = fileURLToPath(import.meta.url);

/**
 * Whether replays can run in a worker: only from the build (dist/), whose
 * module a worker can load as it is; run from the TypeScript sources (the
 * tests), the replay stays on the main thread.
 */
export function replayWorkerAvailable(): boolean {
  return SCRIPT.endsWith('.js') && existsSync(SCRIPT);
}

export interface ReplayInWorker {
  results(): Promise<Results>;
  /** Stops the worker (a failed pass no longer needs its results). */
  terminate(): Promise<void>;
}

export function replayInWorker(path: string, open: OpenOptions, window?: TraceWindow): ReplayInWorker {
  const plain = Object.fromEntries(Object.entries(open).filter(([, v]) => typeof v !== 'function')) as OpenOptions;
  const worker = new Worker(SCRIPT, { workerData: { blocktimeReplay: true, path, open: plain, ...(window ? { window } : {}) } satisfies Task });
  const results = new Promise<Results>((resolve, reject) => {
    worker.once('message', (reply: Reply) => ('results' in reply ? resolve(reply.results) : reject(revive(reply.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the replay worker exited (${code}) without its results`)));
  });
  // Taken by `results()`, or dropped with the pass that failed.
  results.catch(() => undefined);
  return { results: () => results, terminate: async () => void (await worker.terminate()) };
}

function revive(e: Extract<Reply, { error: unknown }>['error']): Error {
  if (e.kind === 'InputError' && e.location && e.what !== undefined) return new InputError(e.location, e.what);
  if (e.kind === 'UsageError') return new UsageError(e.message);
  if (e.exitCode !== undefined) return new BlocktimeError(e.message, e.exitCode);
  return new Error(e.message);
}

async function work(task: Task): Promise<Reply> {
  try {
    const source = await openTrace(task.path, task.open);
    try {
      return { results: (await replayTrace(source, [...VARIANTS], task.window ? { window: task.window } : {})).results };
    } finally {
      await source.close();
    }
  } catch (err) {
    if (err instanceof InputError) return { error: { kind: 'InputError', message: err.message, location: err.location, what: err.what } };
    if (err instanceof BlocktimeError) return { error: { kind: err.name, message: err.message, exitCode: err.exitCode } };
    return { error: { kind: 'Error', message: err instanceof Error ? err.message : String(err) } };
  }
}

if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeReplay === true && parentPort) {
  parentPort.postMessage(await work(workerData as Task));
}
