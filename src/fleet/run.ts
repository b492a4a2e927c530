/**
 * A fleet's traces, replayed `jobs` at a time: in worker threads when run
 * from the build (each worker streams one trace at a time, so memory is
 * bounded by `jobs` traces in flight), on the main thread when run from the
 * TypeScript sources (the tests), with the same rows. A trace that fails
 * gives a failed row and the others go on.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { plainOpenOptions, runsInWorker } from '../worker-channel.js';
import type { OpenOptions } from '../formats/open.js';
import { runTraceTask, type TraceOutcome, type TraceTask } from './trace-task.js';
import type { WorkerReply, WorkerTask } from './worker.js';

const WORKER = new URL('./worker.js', import.meta.url);

export interface FleetRunOptions {
  /** Traces replayed at once (default: the machine's cores). */
  jobs?: number;
  /** A reader's warning, naming its file. */
  onWarning?(message: string): void;
  /** Each trace's outcome, in the order of `paths`, as soon as it and those before it are done. */
  onOutcome?(outcome: TraceOutcome, index: number): void;
  /** Traces done so far (in any order), and their number. */
  onProgress?(done: number, total: number): void;
}

/** What every trace of the fleet is given: the command's choices. */
export type FleetTask = Omit<TraceTask, 'path' | 'open'> & { open: OpenOptions };

export function defaultJobs(): number {
  return availableParallelism();
}

/** Every trace's outcome, in the order of `paths`. */
export async function runFleet(paths: readonly string[], task: FleetTask, opts: FleetRunOptions = {}): Promise<TraceOutcome[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), paths.length));
  const tasks = paths.map((path): TraceTask => ({ ...task, open: plainOpenOptions(task.open), path }));
  const outcomes: Array<TraceOutcome | undefined> = new Array(paths.length);
  let next = 0;
  let doneCount = 0;
  const settle = (index: number, outcome: TraceOutcome): void => {
    outcomes[index] = outcome;
    doneCount++;
    opts.onProgress?.(doneCount, paths.length);
    while (next < outcomes.length && outcomes[next] !== undefined) {
      opts.onOutcome?.(outcomes[next]!, next);
      next++;
    }
  };
  const warn = opts.onWarning ?? (() => undefined);
  if (runsInWorker(WORKER.href)) await inWorkers(tasks, jobs, warn, settle);
  else await inThread(tasks, jobs, warn, settle);
  return outcomes as TraceOutcome[];
}

async function inThread(tasks: TraceTask[], jobs: number, warn: (m: string) => void, settle: (i: number, o: TraceOutcome) => void): Promise<void> {
  let taken = 0;
  const lane = async (): Promise<void> => {
    while (taken < tasks.length) {
      const i = taken++;
      settle(i, await runTraceTask(tasks[i]!, warn));
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
}

/** `jobs` workers, each given the next trace when it posts a row. A worker that dies fails its trace (exit 1) and is replaced. */
function inWorkers(tasks: TraceTask[], jobs: number, warn: (m: string) => void, settle: (i: number, o: TraceOutcome) => void): Promise<void> {
  return new Promise((resolve) => {
    let taken = 0;
    let running = 0;
    const start = (): void => {
      if (taken >= tasks.length) {
        if (running === 0) resolve();
        return;
      }
      running++;
      const worker = new Worker(fileURLToPath(WORKER));
      let current = -1;
      const give = (): void => {
        if (taken >= tasks.length) {
          current = -1;
          void worker.terminate();
          return;
        }
        current = taken++;
        worker.postMessage({ id: current, task: tasks[current]! } satisfies WorkerTask);
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'warning') warn(reply.message);
        else {
          settle(reply.id, reply.outcome);
          give();
        }
      });
      let failure = 'the worker thread stopped';
      worker.once('error', (err) => (failure = err.message));
      worker.once('exit', () => {
        running--;
        if (current >= 0) settle(current, { ok: false, trace: tasks[current]!.path, error: `internal error: ${failure}`, exit_code: 1 });
        // Replaced only when it died with traces left; a worker with none left was ended by us.
        if (taken < tasks.length) start();
        else if (running === 0) resolve();
      });
      give();
    };
    for (let k = 0; k < jobs; k++) start();
  });
}
