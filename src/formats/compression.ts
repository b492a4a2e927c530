/**
 * Compressed traces, in any format: gzip (node:zlib) and zstd (fzstd, as
 * Node 20's zlib has no zstd). A codec is told by its magic bytes, never by
 * the name, and the bytes are decompressed as they are read, so that memory
 * does not grow with the file. No trace compresses anywhere near
 * MAX_RATIO to 1 (its times and addresses change from row to row): an input
 * that expands further is refused as a decompression bomb, once it has
 * expanded past RATIO_FREE_BYTES.
 */
import { Readable, pipeline } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { Decompress } from 'fzstd';
import { InputError } from '../errors.js';
import { ZstdWindowCheck } from './zstd-window.js';

/** Decompressed bytes per compressed byte beyond which an input is not a trace. */
export const MAX_RATIO = 1000;
/** Decompressed bytes allowed whatever the ratio: a small file may be all header. */
export const RATIO_FREE_BYTES = 16 << 20;

export interface Codec {
  readonly name: 'gzip' | 'zstd';
  /** Name endings that say only "compressed": x.csv.gz is a CSV trace. */
  readonly extensions: readonly string[];
  readonly magic: readonly number[];
  /**
   * The decompressed bytes of `chunks` (which must not be reused once
   * handed over). Corrupt data, and data that expands more than MAX_RATIO
   * times, is an InputError at `where.consumed()`.
   */
  decompress(chunks: AsyncIterable<Uint8Array>, where: { file: string; consumed(): number }): AsyncIterable<Uint8Array>;
  /** As much of the decompressed start as `head`, the compressed start, gives: for a sniffer's look. */
  decompressHead(head: Uint8Array): Uint8Array;
}

const GZIP: Codec = {
  name: 'gzip',
  extensions: ['.gz'],
  magic: [0x1f, 0x8b],
  async *decompress(chunks, where) {
    const out = pipeline(Readable.from(chunks), createGunzip({ chunkSize: 1 << 16 }), () => {});
    const ratio = ratioGuard('gzip', where);
    try {
      for await (const chunk of out as AsyncIterable<Uint8Array>) {
        ratio(chunk.length);
        yield chunk;
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // zlib's own errors are the data's; a read error of the file passes as it is.
      if (err instanceof InputError) throw err;
      if (typeof code === 'string' && code.startsWith('Z_')) throw corrupt('gzip', err, where);
      throw err;
    } finally {
      out.destroy();
    }
  },
  decompressHead(head) {
    try {
      return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return new Uint8Array(0);
    }
  },
};

const ZSTD: Codec = {
  name: 'zstd',
  extensions: ['.zst', '.zstd'],
  magic: [0x28, 0xb5, 0x2f, 0xfd],
  async *decompress(chunks, where) {
    const blocks: Uint8Array[] = [];
    const ratio = ratioGuard('zstd', where);
    const windows = new ZstdWindowCheck(where.file);
    const d = new Decompress((block) => {
      // Counted as it comes: one push of a few KiB can hold gigabytes of blocks.
      ratio(block.length);
      if (block.length > 0) blocks.push(block);
    });
    const push = (chunk: Uint8Array, final: boolean): void => {
      windows.feed(chunk);
      try {
        d.push(chunk, final);
      } catch (err) {
        if (err instanceof InputError) throw err;
        throw corrupt('zstd', err, where);
      }
    };
    for await (const chunk of chunks) {
      push(chunk, false);
      // Handed out before the next push: the decoder may reuse what it gave.
      while (blocks.length > 0) yield blocks.shift()!;
    }
    push(new Uint8Array(0), true);
    while (blocks.length > 0) yield blocks.shift()!;
  },
  decompressHead(head) {
    const blocks: Uint8Array[] = [];
    try {
      new ZstdWindowCheck('').feed(head);
      let bytes = 0;
      // As the last bytes: the decoder waits for more before it starts on a short frame otherwise.
      new Decompress((block) => {
        bytes += block.length;
        if (bytes > MAX_RATIO * head.length) throw new Error('expands too far for a look at the start');
        blocks.push(block.slice());
      }).push(head, true);
    } catch {
      // The head ends inside a block: what decompressed before the cut is still a look at the start.
    }
    return Buffer.concat(blocks);
  },
};

export const CODECS: readonly Codec[] = [GZIP, ZSTD];

/** Bytes enough to tell every codec's magic. */
export const MAGIC_BYTES = 4;

export function codecOf(head: Uint8Array): Codec | undefined {
  return CODECS.find((c) => c.magic.every((b, i) => head[i] === b));
}

/** `name` (lower case) without a compression ending: `x.csv.gz` -> `x.csv`. */
export function withoutCompressionExtension(name: string): string {
  const ext = CODECS.flatMap((c) => c.extensions).find((e) => name.endsWith(e));
  return ext === undefined ? name : name.slice(0, -ext.length);
}

/** Counts decompressed bytes; throws once they pass MAX_RATIO times the compressed bytes read (after RATIO_FREE_BYTES). */
function ratioGuard(codec: string, where: { file: string; consumed(): number }): (bytes: number) => void {
  let produced = 0;
  return (bytes) => {
    produced += bytes;
    if (produced > RATIO_FREE_BYTES && produced > MAX_RATIO * where.consumed()) {
      throw new InputError(
        { file: where.file, byteOffset: where.consumed() },
        `${codec} data expands more than ${MAX_RATIO} times (${produced} bytes from ${where.consumed()}); expected a compressed trace, not a decompression bomb`,
      );
    }
  };
}

function corrupt(codec: string, err: unknown, where: { file: string; consumed(): number }): InputError {
  return new InputError({ file: where.file, byteOffset: where.consumed() }, `corrupt ${codec} data (${err instanceof Error ? err.message : String(err)})`);
}
