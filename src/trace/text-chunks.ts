/**
 * A text file as a sequence of chunks of whole lines, read through one file
 * handle into one reused buffer: memory is bounded by the chunk size and the
 * longest line, not by the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';

const CHUNK_BYTES = 1 << 20;
/** No trace line comes near this; a file with such a line is not a trace. */
const MAX_LINE_BYTES = 1 << 20;

export interface TextChunk {
  /** Whole lines (the last one may lack its newline at the end of the file). Valid until the next chunk is asked for. */
  bytes: Uint8Array;
  /** File offset of bytes[0]. */
  byteOffset: number;
}

export async function* textChunks(
  fh: FileHandle,
  file: string,
  start: number,
  onProgress?: (bytesRead: number, bytesTotal: number) => void,
): AsyncGenerator<TextChunk> {
  const total = (await fh.stat()).size;
  // A small file needs no megabyte buffer (a pipe or device reports size 0: take the full chunk).
  let buf = new Uint8Array(total > start ? Math.min(CHUNK_BYTES, total - start + 1) : CHUNK_BYTES);
  let carry = 0;
  let pos = start;
  for (;;) {
    if (carry === buf.length) {
      if (carry >= MAX_LINE_BYTES) {
        throw new InputError({ file, byteOffset: pos - carry }, `a line longer than ${MAX_LINE_BYTES} bytes; expected one trace row per line`);
      }
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const { bytesRead } = await fh.read(buf, carry, buf.length - carry, pos);
    pos += bytesRead;
    const end = carry + bytesRead;
    if (bytesRead === 0) {
      if (carry > 0) yield { bytes: buf.subarray(0, carry), byteOffset: pos - carry };
      return;
    }
    const lastNewline = buf.lastIndexOf(0x0a, end - 1);
    if (lastNewline < 0) {
      carry = end;
      continue;
    }
    yield { bytes: buf.subarray(0, lastNewline + 1), byteOffset: pos - end };
    onProgress?.(pos, total);
    buf.copyWithin(0, lastNewline + 1, end);
    carry = end - lastNewline - 1;
  }
}

/** Rows per batch for a text file of `fileSize` bytes: no row is shorter than 8 bytes, so a small file needs no full-size batch. */
export function batchCapacity(batchRows: number, fileSize: number): number {
  return fileSize > 0 ? Math.min(batchRows, Math.floor(fileSize / 8) + 1) : batchRows;
}
