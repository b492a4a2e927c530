/**
 * Streams a log's lines from disk, gunzipping when the file starts with the
 * gzip magic bytes, so that a log of any size is read in constant memory
 * (one chunk of lines at a time).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.js';

export async function isGzip(path: string): Promise<boolean> {
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
  const [gz, st] = await Promise.all([isGzip(path), stat(path)]);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = gz ? file.pipe(createGunzip()) : file;
  // pipe() does not forward errors: a read error must still end the loop below.
  if (gz) file.on('error', (err) => input.destroy(err));
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lines = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (onProgress) onProgress(file.bytesRead, st.size);
      const text = carry + decoder.write(chunk);
      const parts = text.split('\n');
      carry = parts.pop()!;
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (p.charCodeAt(p.length - 1) === 13) parts[i] = p.slice(0, -1);
      }
      lines += parts.length;
      if (parts.length > 0) yield parts;
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
  const last = carry + decoder.end();
  if (last.length > 0) yield [last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last];
}
