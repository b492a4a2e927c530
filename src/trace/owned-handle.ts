/**
 * A format reader owns the file handle it reads through: it is closed if
 * opening the reader fails, and once (however often close is called) when
 * the reader is done.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** Opens `path` for `start`; the handle passes to what `start` returns, or is closed if it throws. */
export async function withOwnedHandle<R>(path: string, start: (fh: FileHandle) => Promise<R>): Promise<R> {
  const fh = await open(path, 'r');
  try {
    return await start(fh);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** A reader's close(): the consumer and openTrace's end-of-pass cleanup may both call it. */
export function closeOnce(fh: FileHandle): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
}
