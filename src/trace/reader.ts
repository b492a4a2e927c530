import type { TraceBatch } from './batch.js';
import type { TraceMeta } from './schema.js';
import type { TraceValidator } from './validate.js';

/**
 * What each format's reader gives `openTrace`: the metadata the file
 * declares, and one pass over its batches, each checked by `validator`
 * (built by openTrace with the options applied) before it is yielded.
 */
export interface FormatReader {
  readonly meta: TraceMeta;
  batches(validator: TraceValidator): AsyncIterable<TraceBatch>;
  close(): Promise<void>;
}
