/**
 * A Parquet trace read in a worker thread (parquet-reader.ts there), its
 * batches taken by the thread that replays them: DuckDB hands its rows over
 * one vector of 2048 at a time, at a fixed cost each, and on the replay's
 * thread that cost came on top of the replay (0.64 to 0.75 of the speed of
 * the same trace in Arrow). In a worker it runs beside the replay.
 *
 * The worker posts the metadata, then each batch, its buffers transferred
 * (each batch has buffers of its own), on a bounded channel
 * (src/worker-channel.ts): memory stays a few batches. The rows are checked
 * here, by the validator `openTrace` built with the user's options.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { type ChannelEnd, ChannelStopped, channelSender, revive, runsInWorker, startChannelWorker, toWire, type WireError } from '../worker-channel.js';
import type { TraceBatch } from './batch.js';
import { openParquet, type ParquetReadOptions } from './parquet-reader.js';
import type { FormatReader } from './reader.js';
import type { TraceMeta } from './schema.js';

type Message =
  | { kind: 'meta'; meta: TraceMeta }
  /** `bytes`: the reader's progress estimate after this batch. */
  | { kind: 'batch'; batch: TraceBatch; bytes: number }
  | { kind: 'end' }
  | { kind: 'error'; error: WireError };

interface Task {
  /** Tells this worker's data from that of other workers that load this module. */
  blocktimeParquet: true;
  path: string;
  file: string;
  size: number;
  batchRows?: number;
}

/** Whether the reader can run in a worker (src/worker-channel.ts); if not, it reads on the calling thread. */
export function parquetStreamAvailable(): boolean {
  return runsInWorker(import.meta.url);
}

/** As openParquet, the reading done by a worker. */
export async function openParquetStream(path: string, file: string, size: number, opts: ParquetReadOptions = {}): Promise<FormatReader> {
  const task: Task = { blocktimeParquet: true, path, file, size, ...(opts.batchRows !== undefined ? { batchRows: opts.batchRows } : {}) };
  const channel = startChannelWorker<Message>(import.meta.url, task, `${file}: the Parquet reader stopped before the end of the trace`);
  /** The next message, waiting for the worker if need be; the worker's error thrown as it was. */
  const next = async (): Promise<Exclude<Message, { kind: 'error' }>> => {
    const m = await channel.receive();
    if (m.kind === 'error') throw revive(m.error);
    return m;
  };
  let meta: TraceMeta;
  try {
    const first = await next();
    if (first.kind !== 'meta') throw new Error(`the Parquet reader sent ${first.kind} before the metadata`);
    meta = first.meta;
  } catch (err) {
    await channel.close();
    throw err;
  }
  return {
    meta,
    async *batches(validator) {
      for (;;) {
        const m = await next();
        if (m.kind === 'end') return;
        if (m.kind !== 'batch') throw new Error(`the Parquet reader sent ${m.kind} among the batches`);
        validator.check(m.batch);
        opts.onProgress?.(m.bytes, size);
        yield m.batch;
      }
    },
    close: () => channel.close(),
  };
}

/** The worker's side: open, post the metadata, then every batch as it is read. */
async function produce(task: Task, post: (m: Message, transfer?: ArrayBuffer[]) => void): Promise<void> {
  try {
    let bytes = 0;
    const reader = await openParquet(task.path, task.file, task.size, {
      ...(task.batchRows !== undefined ? { batchRows: task.batchRows } : {}),
      onProgress: (read) => (bytes = read),
    });
    try {
      post({ kind: 'meta', meta: reader.meta });
      // Checked on the other side, by openTrace's validator.
      for await (const b of reader.batches({ check: () => undefined })) {
        post({ kind: 'batch', batch: b, bytes }, [b.t, b.kind, b.tid, b.addr, b.cpu].map((a) => a.buffer as ArrayBuffer));
      }
      post({ kind: 'end' });
    } finally {
      await reader.close();
    }
  } catch (err) {
    // Stopped by the main thread, which wants nothing more.
    if (!(err instanceof ChannelStopped)) post({ kind: 'error', error: toWire(err) });
  }
}

// No top-level await: a module graph with one cannot be require()d, which is how tslab's notebooks load the package.
if (!isMainThread && (workerData as Partial<Task> | undefined)?.blocktimeParquet === true) {
  const channel = channelSender<Message>((workerData as { channel: ChannelEnd }).channel);
  void produce(workerData as Task, (m, transfer) => channel.post(m, transfer)).finally(() => channel.close());
}
