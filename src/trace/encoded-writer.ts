/**
 * A `TraceWriter` over one format's encoder: batches to a file under a
 * temporary name in the target's directory, renamed into place on close();
 * `-` streams to stdout. Which encoder a name calls for is the format
 * registry's business (src/formats/write.ts).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { subBatch } from './batch.js';
import type { TraceBatch } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import type { TraceWriter } from './source.js';

/** Writes `encoder`'s bytes to `path` (`-`: stdout), in record batches of at most `batchRows` rows. */
export async function createEncodedWriter(path: string, encoder: TraceEncoder, batchRows: number): Promise<TraceWriter> {
  const sink = path === '-' ? stdoutSink() : await tempFileSink(path);
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

interface ByteSink {
  write(chunks: Uint8Array[]): Promise<void>;
  /** Makes the bytes visible under the final name. */
  commit(): Promise<void>;
  /** Drops what was written; the final name is never touched. */
  discard(): Promise<void>;
}

const CANNOT_WRITE: Record<string, string> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a parent is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

async function tempFileSink(path: string): Promise<ByteSink> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fh: FileHandle;
  try {
    fh = await open(temp, 'wx');
  } catch (err) {
    throw new UsageError(`${path}: cannot write here: ${CANNOT_WRITE[(err as NodeJS.ErrnoException).code ?? ''] ?? (err as Error).message}`);
  }
  let closed = false;
  const closeHandle = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    async write(chunks) {
      if (chunks.length === 0) return;
      let total = 0;
      for (const c of chunks) total += c.byteLength;
      const { bytesWritten } = await fh.writev(chunks);
      if (bytesWritten < total) await writeRest(fh, chunks, bytesWritten);
    },
    async commit() {
      await fh.sync();
      await closeHandle();
      await rename(temp, path);
    },
    async discard() {
      await closeHandle().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** A short writev (a full disk, a signal) leaves a tail to write; write it plainly. */
async function writeRest(fh: FileHandle, chunks: Uint8Array[], done: number): Promise<void> {
  let skip = done;
  for (const c of chunks) {
    if (skip >= c.byteLength) {
      skip -= c.byteLength;
      continue;
    }
    let rest = c.subarray(skip);
    skip = 0;
    while (rest.byteLength > 0) {
      const { bytesWritten } = await fh.write(rest);
      rest = rest.subarray(bytesWritten);
    }
  }
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
