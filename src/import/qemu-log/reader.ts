/**
 * Streams a log's lines, so that a log of any size is read in constant
 * memory (one chunk of lines at a time). The bytes come decompressed when
 * the log is compressed (the format registry's input, src/formats/input.ts).
 */
import { InputError } from '../../errors.js';
import type { TraceInput } from '../../trace/byte-input.js';
import { MAX_LINE_BYTES } from '../../trace/text-chunks.js';

/** 64 KiB reads: each chunk's lines stay small young-generation strings (1 MiB reads cost 50% more CPU). */
const READ_BYTES = 1 << 16;

/**
 * Yields the log's lines in chunks (arrays of lines without their line
 * ends), one pass. `onProgress` gets the bytes of the file read so far
 * (compressed bytes for a compressed log) and the file's size.
 */
export async function* lineChunks(input: TraceInput, onProgress?: (bytesRead: number, bytesTotal: number) => void): AsyncGenerator<string[]> {
  const reader = await input.open();
  // Cut at the last newline byte of each chunk and decode only whole lines: a
  // multi-byte character never straddles the cut, and no decoder state is needed.
  let carry: Buffer | undefined;
  let lines = 0;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_BYTES);
      let n: number;
      try {
        n = await reader.read(chunk, 0, READ_BYTES);
      } catch (err) {
        // Corrupt compressed data: placed at the line it cut, as every other error in a log.
        if (err instanceof InputError) throw new InputError({ file: input.name, line: lines + 1 }, err.what);
        throw err;
      }
      if (n === 0) break;
      if (onProgress) onProgress(reader.consumed, input.size);
      const got = chunk.subarray(0, n);
      // Only the line carried over can be long: the others lie within one read.
      const firstNewline = got.indexOf(10);
      if ((carry?.length ?? 0) + (firstNewline < 0 ? n : firstNewline) > MAX_LINE_BYTES) {
        throw new InputError({ file: input.name, line: lines + 1 }, `a line longer than ${MAX_LINE_BYTES} bytes; expected one trace event per line`);
      }
      const buf = carry ? Buffer.concat([carry, got]) : got;
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
  } finally {
    await reader.close();
  }
  if (carry && carry.length > 0) {
    const last = carry.toString('utf8');
    yield [last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last];
  }
}
