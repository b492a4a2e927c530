/**
 * A path the user named, as the bytes every reader takes (TraceInput): a
 * regular file, a FIFO or device, or `-` for stdin; gzip or zstd
 * decompressed on the way when its first bytes say so. What is read before
 * a reader starts (the magic bytes, a sniffer's look) is kept and handed to
 * it, so a pipe loses nothing to detection.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { readUpTo, type ByteReader, type TraceInput } from '../trace/byte-input.js';
import { statInput } from '../trace/input-file.js';
import { MAGIC_BYTES, codecOf, type Codec } from './compression.js';

/** The input, and a look at its first bytes without consuming them. */
export interface OpenedInput extends TraceInput {
  /** The first `n` bytes the readers will see (fewer only at the end). */
  peek(n: number): Promise<Uint8Array>;
}

/** Compressed bytes are read in pieces of this size. */
const READ_BYTES = 1 << 16;

export async function openInput(path: string): Promise<OpenedInput> {
  if (path === '-') return pipeInput('stdin', process.stdin, false);
  const st = await statInput(path, 'a trace file');
  if (!st.isFile()) return pipeInput(path, createReadStream(path, { highWaterMark: READ_BYTES }), true);
  const codec = codecOf(await readFileHead(path, MAGIC_BYTES));
  return codec ? compressedFileInput(path, st.size, codec) : fileInput(path, st.size);
}

function fileInput(path: string, size: number): OpenedInput {
  return {
    name: path,
    size,
    length: size,
    path,
    pipe: false,
    open: async () => new FileBytes(await open(path, 'r')),
    peek: (n) => readFileHead(path, n),
    close: async () => {},
  };
}

function compressedFileInput(path: string, size: number, codec: Codec): OpenedInput {
  const openPass = async (): Promise<ByteReader> => {
    const raw = new FileBytes(await open(path, 'r'));
    return new ChunkReader(codec.decompress(rawChunks(raw), { file: path, consumed: () => raw.consumed }), () => raw.consumed, () => raw.close());
  };
  return {
    name: path,
    size,
    pipe: false,
    open: openPass,
    async peek(n) {
      const pass = await openPass();
      try {
        return await readUpTo(pass, n);
      } finally {
        await pass.close();
      }
    },
    close: async () => {},
  };
}

/** stdin or a FIFO: one pass, so what detection reads is held for the reader. */
async function pipeInput(name: string, stream: Readable, owned: boolean): Promise<OpenedInput> {
  let consumed = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      consumed += chunk.byteLength;
      yield chunk;
    }
  }
  const release = async (): Promise<void> => {
    if (owned) stream.destroy();
  };
  const raw = new HeldChunks(counted());
  let codec: Codec | undefined;
  try {
    codec = codecOf(await raw.peek(MAGIC_BYTES));
  } catch (err) {
    await release();
    throw err;
  }
  const bytes = codec ? new HeldChunks(codec.decompress(raw.chunks(), { file: name, consumed: () => consumed })) : raw;
  let opened = false;
  return {
    name,
    size: 0,
    pipe: true,
    async open() {
      if (opened) throw new UsageError(`${name}: a pipe can be read once; give a file`);
      opened = true;
      return new ChunkReader(bytes.chunks(), () => consumed, release);
    },
    peek: (n) => bytes.peek(n),
    close: release,
  };
}

async function readFileHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A regular file from its first byte, read straight into the caller's buffer. */
class FileBytes implements ByteReader {
  consumed = 0;
  private closed = false;
  constructor(private readonly fh: FileHandle) {}
  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.fh.read(buf, offset, length, this.consumed);
    this.consumed += bytesRead;
    return bytesRead;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/** A file's raw bytes in fresh pieces, as a decompressor takes them (it may keep them). */
async function* rawChunks(raw: ByteReader): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buf = new Uint8Array(READ_BYTES);
    const n = await raw.read(buf, 0, READ_BYTES);
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}

/** Reads served from a sequence of chunks (a pipe, a decompressor's output). */
class ChunkReader implements ByteReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  private closed = false;
  constructor(
    chunks: AsyncIterable<Uint8Array>,
    private readonly counted: () => number,
    private readonly release: () => Promise<void>,
  ) {
    this.it = chunks[Symbol.asyncIterator]();
  }
  get consumed(): number {
    return this.counted();
  }
  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    while (this.at >= this.chunk.length) {
      const next = await this.it.next();
      if (next.done) return 0;
      this.chunk = next.value;
      this.at = 0;
    }
    const n = Math.min(length, this.chunk.length - this.at);
    buf.set(this.chunk.subarray(this.at, this.at + n), offset);
    this.at += n;
    return n;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.it.return?.();
    } finally {
      await this.release();
    }
  }
}

/** Chunks of which the first few can be looked at before the one pass over all of them. */
class HeldChunks {
  private readonly it: AsyncIterator<Uint8Array>;
  private readonly held: Uint8Array[] = [];
  private heldBytes = 0;
  private ended = false;
  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.it = chunks[Symbol.asyncIterator]();
  }
  async peek(n: number): Promise<Uint8Array> {
    while (this.heldBytes < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) this.ended = true;
      else {
        this.held.push(next.value);
        this.heldBytes += next.value.length;
      }
    }
    const all = Buffer.concat(this.held);
    return all.subarray(0, Math.min(n, all.length));
  }
  async *chunks(): AsyncGenerator<Uint8Array> {
    while (this.held.length > 0) yield this.held.shift()!;
    if (this.ended) return;
    for (;;) {
      const next = await this.it.next();
      if (next.done) return;
      yield next.value;
    }
  }
}
