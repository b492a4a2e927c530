/**
 * A fleet worker thread (started by run.ts from the build): it takes one
 * trace at a time from the main thread, streams it through the replay as
 * the single-trace commands do, and posts back the row, with the reader's
 * warnings before it. Only a trace's batches in flight live here, so memory
 * is bounded by the traces being read at once, never by the fleet.
 */
import { parentPort } from 'node:worker_threads';
import { runTraceTask, type TraceOutcome, type TraceTask } from './trace-task.js';

/** To the worker: a trace to read, numbered. */
export interface WorkerTask {
  id: number;
  task: TraceTask;
}

/** From the worker. */
export type WorkerReply = { kind: 'warning'; id: number; message: string } | { kind: 'done'; id: number; outcome: TraceOutcome };

const port = parentPort;
if (port) {
  port.on('message', ({ id, task }: WorkerTask) => {
    void runTraceTask(task, (message) => port.postMessage({ kind: 'warning', id, message } satisfies WorkerReply)).then((outcome) =>
      port.postMessage({ kind: 'done', id, outcome } satisfies WorkerReply),
    );
  });
}
