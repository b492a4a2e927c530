import type { TraceBatch } from './batch.js';
import type { TraceMeta } from './schema.js';
import type { TraceValidator } from './validate.js';

/** What a reader calls on each batch before it yields it: openTrace's validator, or nothing where another thread checks. */
export type BatchCheck = Pick<TraceValidator, 'check'>;

/**
 * What each format's reader gives `openTrace`: the metadata the file
 * declares, and one pass over its batches, each checked by `validator`
 * (built by openTrace with the options applied) before it is yielded.
 */
export interface FormatReader {
  readonly meta: TraceMeta;
  batches(validator: BatchCheck): AsyncIterable<TraceBatch>;
  close(): Promise<void>;
}
