/**
 * The replay engine pulls batches (`replayBatches` takes an iterable); a
 * load pass pushes them to each of its consumers in turn. This hands each
 * pushed batch to a replay running beside the pass, and returns once the
 * replay has taken it and asks for the next: a batch is never held after
 * its `consume`, so nothing piles up, and the reader may reuse its buffers.
 */
import { replayBatches } from '../replay/engine.js';
import type { AnalysisResult, VariantName } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceWindow } from '../replay/window.js';

export interface ReplayConsumer {
  consume(batch: TraceBatch): Promise<void>;
  /** Ends the input; the replay's results. */
  finish(): Promise<Partial<Record<VariantName, AnalysisResult>>>;
}

export function replayConsumer(meta: TraceMeta, variants: VariantName[], file: string, window?: TraceWindow): ReplayConsumer {
  let give: ((r: IteratorResult<TraceBatch>) => void) | undefined;
  let asked = deferred();
  const input: AsyncIterable<TraceBatch> = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        new Promise<IteratorResult<TraceBatch>>((resolve) => {
          give = resolve;
          asked.resolve();
        }),
    }),
  };
  const done = replayBatches(meta, input, variants, { file, ...(window ? { window } : {}) });
  // Failures are taken through `ended` and `finish`: these two only keep them from counting as unhandled meanwhile.
  done.catch(() => undefined);
  const ended = done.then(() => {
    throw new Error('the replay ended before its input did');
  });
  ended.catch(() => undefined);
  /** Waits until the replay asks for a batch; throws what the replay threw. */
  const ready = async (): Promise<(r: IteratorResult<TraceBatch>) => void> => {
    await Promise.race([asked.promise, ended]);
    const take = give!;
    give = undefined;
    asked = deferred();
    return take;
  };
  return {
    async consume(batch) {
      (await ready())({ value: batch, done: false });
      await Promise.race([asked.promise, ended]);
    },
    async finish() {
      (await ready())({ value: undefined, done: true });
      return (await done).results;
    },
  };
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
