/**
 * The three variants' replay of a trace file in a worker thread, beside a
 * load pass that reads the same file on the main thread (the append, the
 * derived tables): the replay is the pass's largest single cost after
 * DuckDB's, and a second core takes it whole. The worker reads the file
 * itself (the page cache serves the second read), so no batch crosses
 * threads; it posts back the results, or its error as plain fields that the
 * main thread turns back into the same typed error.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { type OpenOptions, openTrace } from '../formats/open.js';
import { replayTrace } from '../replay/engine.js';
import { type AnalysisResult, VARIANTS, type VariantName } from '../replay/result.js';
import type { TraceWindow } from '../replay/window.js';
import { answerOnce, plainOpenOptions, runsInWorker, startOneShotWorker } from '../worker-channel.js';

type Results = Partial<Record<VariantName, AnalysisResult>>;

interface Task {
  /** Tells this worker's data from that of other workers that load this module (a test runner's). */
  blocktimeReplay: true;
  path: string;
  /** The reading options without their callbacks (warnings and progress come from the main thread's own read). */
  open: OpenOptions;
  window?: TraceWindow;
}

/** Whether replays can run in a worker (src/worker-channel.ts); if not, the replay stays on the main thread. */
export function replayWorkerAvailable(): boolean {
  return runsInWorker(import.meta.url);
}

export interface ReplayInWorker {
  results(): Promise<Results>;
  /** Stops the worker (a failed pass no longer needs its results). */
  terminate(): Promise<void>;
}

export function replayInWorker(path: string, open: OpenOptions, window?: TraceWindow): ReplayInWorker {
  const worker = startOneShotWorker<Results>(
    import.meta.url,
    { blocktimeReplay: true, path, open: plainOpenOptions(open), ...(window ? { window } : {}) } satisfies Task,
    'the replay worker',
  );
  return { results: () => worker.outcome(), terminate: () => worker.terminate() };
}

async function work(task: Task): Promise<Results> {
  const source = await openTrace(task.path, task.open);
  try {
    return (await replayTrace(source, [...VARIANTS], task.window ? { window: task.window } : {})).results;
  } finally {
    await source.close();
  }
}

// No top-level await: a module graph with one cannot be require()d, which is how tslab's notebooks load the package.
if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeReplay === true) answerOnce(() => work(workerData as Task));
