/**
 * A report's pass (chart-walk.ts) in a worker thread, beside the one on the
 * main thread: the report replays three designs and draws its charts from
 * one of them, and two cores take that in two halves. The worker reads the
 * file itself (the page cache serves the second read), so no batch crosses
 * threads; it posts back what its pass found, or its error as plain fields
 * that the main thread turns back into the same typed error.
 */
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type OpenOptions, openTrace } from '../../formats/open.js';
import { plainOpenOptions, revive, runsInWorker, toWire, type WireError } from '../../worker-channel.js';
import { type ChartWalk, type ChartWalkOptions, walkForCharts } from './chart-walk.js';

type Walk = Omit<ChartWalkOptions, 'onProgress'>;

interface Task {
  /** Tells this worker's data from that of other workers that load this module (a test runner's). */
  blocktimeCharts: true;
  path: string;
  /** The reading options without their callbacks (warnings and progress come from the main thread's own read). */
  open: OpenOptions;
  walk: Walk;
}

type Reply = { walk: ChartWalk } | { error: WireError };

/** Whether the pass can run in a worker (src/worker-channel.ts); if not, the report makes one pass on the main thread. */
export function chartWorkerAvailable(): boolean {
  return runsInWorker(import.meta.url);
}

export interface ChartWorker {
  outcome(): Promise<ChartWalk>;
  /** Stops the worker (the other pass failed). */
  terminate(): Promise<void>;
}

export function walkInWorker(path: string, open: OpenOptions, walk: Walk): ChartWorker {
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { blocktimeCharts: true, path, open: plainOpenOptions(open), walk } satisfies Task,
  });
  const outcome = new Promise<ChartWalk>((resolve, reject) => {
    worker.once('message', (reply: Reply) => ('walk' in reply ? resolve(reply.walk) : reject(revive(reply.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the report's worker exited (${code}) without its results`)));
  });
  // Taken by `outcome()`, or dropped with the report that failed.
  outcome.catch(() => undefined);
  return { outcome: () => outcome, terminate: async () => void (await worker.terminate()) };
}

async function work(task: Task): Promise<Reply> {
  try {
    const source = await openTrace(task.path, task.open);
    try {
      return { walk: await walkForCharts(source, task.walk) };
    } finally {
      await source.close();
    }
  } catch (err) {
    return { error: toWire(err) };
  }
}

// No top-level await: a module graph with one cannot be require()d, which is how tslab's notebooks load the package.
if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeCharts === true && parentPort) {
  const port = parentPort;
  void work(workerData as Task).then((reply) => port.postMessage(reply));
}
