/**
 * Streams a log's lines from disk, gunzipping when the file starts with the
 * gzip magic bytes, so that a log of any size is read in constant memory
 * (one chunk of lines at a time).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.js';
import { statInput } from '../../trace/input-file.js';

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Yields the file's lines in chunks (arrays of lines without their line
 * ends). `onProgress` gets the bytes of the file read so far (compressed
 * bytes for gzip) and the file's size.
 */
export async function* lineChunks(
  path: string,
  onProgress?: (bytesRead: number, bytesTotal: number) => void,
): AsyncGenerator<string[]> {
  // Stat first: a directory is named, not read.
  const st = await statInput(path, 'a QEMU trace log');
  const gz = await isGzip(path);
  // 64 KiB reads: each chunk's lines stay small young-generation strings (1 MiB reads cost 50% more CPU).
  const file = createReadStream(path, { highWaterMark: 1 << 16 });
  const input = gz ? file.pipe(createGunzip({ chunkSize: 1 << 16 })) : file;
  // pipe() does not forward errors: a read error must still end the loop below.
  if (gz) file.on('error', (err) => input.destroy(err));
  // Cut at the last newline byte of each chunk and decode only whole lines: a
  // multi-byte character never straddles the cut, and no decoder state is needed.
  let carry: Buffer | undefined;
  let lines = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (onProgress) onProgress(file.bytesRead, st.size);
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      const cut = buf.lastIndexOf(10);
      if (cut < 0) {
        carry = buf;
        continue;
      }
      carry = cut + 1 < buf.length ? buf.subarray(cut + 1) : undefined;
      const parts = buf.toString('utf8', 0, cut).split('\n');
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (p.charCodeAt(p.length - 1) === 13) parts[i] = p.slice(0, -1);
      }
      lines += parts.length;
      yield parts;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (gz && typeof e.code === 'string' && e.code.startsWith('Z_')) {
      throw new InputError({ file: path, line: lines + 1 }, `corrupt gzip data (${e.message})`);
    }
    throw err;
  } finally {
    file.destroy();
  }
  if (carry && carry.length > 0) {
    const last = carry.toString('utf8');
    yield [last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last];
  }
}
