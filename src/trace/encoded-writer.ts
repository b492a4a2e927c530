/**
 * A `TraceWriter` over one format's encoder: batches to a file under a
 * temporary name in the target's directory, renamed into place on close()
 * (output-file.ts); `-` streams to stdout. Which encoder a name calls for is
 * the format registry's business (src/formats/write.ts).
 */
import { createOutputFile } from '../output-file.js';
import { subBatch } from './batch.js';
import type { TraceBatch } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import type { TraceWriter } from './source.js';

/** Writes `encoder`'s bytes to `path` (`-`: stdout), in record batches of at most `batchRows` rows. */
export async function createEncodedWriter(path: string, encoder: TraceEncoder, batchRows: number): Promise<TraceWriter> {
  const sink = path === '-' ? stdoutSink() : await createOutputFile(path);
  let state: 'open' | 'closed' | 'aborted' = 'open';
  const ensureOpen = (): void => {
    if (state !== 'open') throw new Error(`trace writer for ${path} is ${state}`);
  };
  return {
    async write(batch: TraceBatch) {
      ensureOpen();
      for (let start = 0; start < batch.length; start += batchRows) {
        const part = start === 0 && batch.length <= batchRows ? batch : subBatch(batch, start, Math.min(batch.length, start + batchRows));
        await sink.write(encoder.encode(part));
      }
    },
    async close() {
      ensureOpen();
      state = 'closed';
      try {
        await sink.write(encoder.finish());
        await sink.commit();
      } catch (err) {
        await sink.discard();
        throw err;
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      await sink.discard();
    },
  };
}

/** Where the encoded bytes go: an OutputFile (temporary name, renamed on commit), or stdout. */
interface ByteSink {
  write(chunks: Uint8Array[]): Promise<void>;
  /** Makes the bytes visible under the final name. */
  commit(): Promise<void>;
  /** Drops what was written; the final name is never touched. */
  discard(): Promise<void>;
}

function stdoutSink(): ByteSink {
  const out = process.stdout;
  return {
    async write(chunks) {
      for (const c of chunks) {
        // Our chunks may be views on the caller's columns: they must leave before write() returns.
        if (!out.write(c.slice())) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
    },
    async commit() {},
    async discard() {},
  };
}
