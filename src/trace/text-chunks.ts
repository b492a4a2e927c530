/**
 * A text trace as a sequence of chunks of whole lines, read through one
 * reader into one reused buffer: memory is bounded by the chunk size and the
 * longest line, not by the file.
 */
import { InputError } from '../errors.js';
import type { ByteReader } from './byte-input.js';

const CHUNK_BYTES = 1 << 20;
/** No trace line comes near this (its newline excluded); a file with a longer line is not a trace. */
export const MAX_LINE_BYTES = 1 << 20;

export interface TextChunk {
  /** Whole lines (the last one may lack its newline at the end of the file). Valid until the next chunk is asked for. */
  bytes: Uint8Array;
  /** Offset of bytes[0] in the (decompressed) text. */
  byteOffset: number;
}

/**
 * The lines from offset `start` on: `first` holds the bytes from `start`
 * that were already read (after a header), the reader the rest. `length`,
 * when known, is the whole text's: a small file needs no megabyte buffer.
 */
export async function* textChunks(
  reader: ByteReader,
  file: string,
  first: Uint8Array,
  start: number,
  length: number | undefined,
  onProgress?: () => void,
): AsyncGenerator<TextChunk> {
  let buf = new Uint8Array(Math.max(first.length + 1, length !== undefined && length > start ? Math.min(CHUNK_BYTES, length - start + 1) : CHUNK_BYTES));
  buf.set(first);
  let carry = first.length;
  // Offset of buf[carry] in the text: what the next read appends.
  let pos = start + first.length;
  for (;;) {
    if (carry === buf.length) {
      if (carry > MAX_LINE_BYTES) {
        throw new InputError({ file, byteOffset: pos - carry }, `a line longer than ${MAX_LINE_BYTES} bytes; expected one trace row per line`);
      }
      // Room for a line of exactly MAX_LINE_BYTES and its newline, and one byte more to tell a longer one.
      const bigger = new Uint8Array(Math.min(buf.length * 2, MAX_LINE_BYTES + 1));
      bigger.set(buf);
      buf = bigger;
    }
    const bytesRead = await reader.read(buf, carry, buf.length - carry);
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
    onProgress?.();
    buf.copyWithin(0, lastNewline + 1, end);
    carry = end - lastNewline - 1;
  }
}

/** Rows per batch for a text of `length` bytes: no row is shorter than 8 bytes, so a small file needs no full-size batch. */
export function batchCapacity(batchRows: number, length: number | undefined): number {
  return length !== undefined && length > 0 ? Math.min(batchRows, Math.floor(length / 8) + 1) : batchRows;
}
