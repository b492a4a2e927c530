import type { TraceBatch } from './batch.js';

/**
 * Turns batches into the bytes of one file format. Chunks returned by
 * `encode` may be views on the batch's own columns: the caller writes them
 * out before the batch can change.
 */
export interface TraceEncoder {
  encode(batch: TraceBatch): Uint8Array[];
  /** The bytes that end the file (footer, end-of-stream marker); nothing may be encoded after. */
  finish(): Uint8Array[];
}
