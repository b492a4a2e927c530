/**
 * A report's pass (chart-walk.ts) in a worker thread, beside the one on the
 * main thread: the report replays three designs and draws its charts from
 * one of them, and two cores take that in two halves. The worker reads the
 * file itself (the page cache serves the second read), so no batch crosses
 * threads; it posts back what its pass found, or its error as plain fields
 * that the main thread turns back into the same typed error.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { type OpenOptions, openTrace } from '../../formats/open.js';
import { answerOnce, type OneShotWorker, plainOpenOptions, runsInWorker, startOneShotWorker } from '../../worker-channel.js';
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

/** Whether the pass can run in a worker (src/worker-channel.ts); if not, the report makes one pass on the main thread. */
export function chartWorkerAvailable(): boolean {
  return runsInWorker(import.meta.url);
}

export function walkInWorker(path: string, open: OpenOptions, walk: Walk): OneShotWorker<ChartWalk> {
  return startOneShotWorker<ChartWalk>(import.meta.url, { blocktimeCharts: true, path, open: plainOpenOptions(open), walk } satisfies Task, "the report's worker");
}

async function work(task: Task): Promise<ChartWalk> {
  const source = await openTrace(task.path, task.open);
  try {
    return await walkForCharts(source, task.walk);
  } finally {
    await source.close();
  }
}

// No top-level await: a module graph with one cannot be require()d, which is how tslab's notebooks load the package.
if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeCharts === true) answerOnce(() => work(workerData as Task));
