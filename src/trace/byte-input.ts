/**
 * A trace's bytes as every reader takes them: already decompressed, read
 * front to back, whether they come from a file, a FIFO or stdin. The format
 * registry (src/formats/input.ts) makes them, so that compression and pipes
 * are the same for every format; a reader learns where its bytes come from
 * only to read a regular uncompressed file at any offset (an Arrow IPC
 * file's footer).
 */

/** One pass over the bytes. */
export interface ByteReader {
  /** Reads the next bytes into buf[offset, offset + length); resolves with how many, 0 at the end. */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  /** Bytes of the input itself consumed so far (the compressed bytes of a compressed file): progress. */
  readonly consumed: number;
  close(): Promise<void>;
}

export interface TraceInput {
  /** The input in messages: its path, or `stdin`. */
  readonly name: string;
  /** Bytes of the file, the total that progress counts towards; 0 for a pipe. */
  readonly size: number;
  /** Bytes the readers will see, when known before reading them (a regular uncompressed file). */
  readonly length?: number;
  /** A regular uncompressed file's path, for readers that need to read at any offset. */
  readonly path?: string;
  /** stdin, a FIFO or a device: one pass only, and no size. */
  readonly pipe: boolean;
  /** A pass from the first byte. A pipe has one pass; a file as many as asked for. */
  open(): Promise<ByteReader>;
  /** Releases a pipe that was never read to the end; idempotent. */
  close(): Promise<void>;
}

/** The bytes in fresh chunks of at most `size` bytes, for readers that keep what they are handed (Arrow). */
export async function* byteChunks(reader: ByteReader, size = 1 << 16): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buf = new Uint8Array(size);
    const n = await reader.read(buf, 0, size);
    if (n === 0) return;
    yield n === size ? buf : buf.subarray(0, n);
  }
}

/** Up to `n` bytes from the reader, fewer only at the end. */
export async function readUpTo(reader: ByteReader, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const got = await reader.read(buf, at, n - at);
    if (got === 0) break;
    at += got;
  }
  return buf.subarray(0, at);
}
