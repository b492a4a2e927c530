/**
 * Reads Arrow IPC (file or stream format) batch by batch through a file
 * handle. Fixed-width columns of the model's types are handed out as views
 * on the buffers Arrow read (no copy); a `kind` column stored otherwise than
 * as ours, integer columns of other widths (other tools' files), and null
 * cells cost a pass over the batch.
 */
import type { FileHandle } from 'node:fs/promises';
import { RecordBatchReader } from 'apache-arrow';
import type { Data, RecordBatch } from 'apache-arrow';
import { InputError } from '../errors.js';
import './arrow-guard.js';
import type { TraceBatch } from './batch.js';
import { COLUMNS } from './schema.js';
import { checkArrowSchema } from './arrow-schema.js';
import type { ArrowColumns, NumericColumn } from './arrow-schema.js';
import { kindCodes } from './arrow-kind.js';
import { widen, type IntTarget, type IntValues } from './arrow-widen.js';
import { metaFromEntries } from './meta-entries.js';
import type { TraceValidator } from './validate.js';
import { closeOnce, withOwnedHandle } from './owned-handle.js';
import type { FormatReader } from './reader.js';
import { ARROW_MAGIC, startsAsArrowFile } from './arrow-magic.js';

/** The file format's leading magic and its padding; a stream follows it. */
const FILE_PREFIX = 8;
/** Magic, padding and the int32 footer length at the end of an IPC file. */
const FILE_TRAILER = 10;
const END_OF_STREAM = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
/** Reads allowed beyond twice the file's size (small files are read in a few fixed-size pieces). */
const READ_SLACK = 1 << 16;

export interface ArrowReadOptions {
  /**
   * 'file' or 'stream' as the bytes say; 'stream' also reads the stream
   * inside an IPC file whose footer is missing (a truncated file).
   */
  layout?: 'stream';
  onWarning?: (message: string) => void;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

export interface ArrowTrace extends FormatReader {
  readonly layout: 'file' | 'stream';
}

/**
 * What Arrow's reader sees of the file: a handle whose reads we watch, so
 * that an error can be placed at a byte offset and a cut-off stream told
 * apart from a corrupt one.
 */
class WatchedHandle {
  readonly fd: number;
  /** Offset of the last read, and whether a read reached the end of the file. */
  lastRead = 0;
  reachedEnd = false;
  furthest = 0;
  /** Bytes asked for so far: a sound file is read about once, a corrupt index can send Arrow round in circles. */
  private requested = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly base: number,
    readonly size: number,
  ) {
    this.fd = fh.fd;
  }
  async stat(): Promise<{ size: number }> {
    return { size: this.size };
  }
  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number; buffer: Uint8Array }> {
    this.lastRead = position;
    const end = position + length;
    if (end >= this.size) this.reachedEnd = true;
    if (end > this.furthest) this.furthest = end;
    // Arrow loops until it has what it asked for: a corrupt offset must end in an error, not a loop.
    if (!(position >= 0 && position < this.size)) throw new Error(`read at offset ${position}, outside the file`);
    this.requested += length;
    if (this.requested > 2 * this.size + READ_SLACK) throw new Error('the file index sends the reader round in circles');
    const r = await this.fh.read(buffer, offset, length, this.base + position);
    if (r.bytesRead === 0 && length > 0) throw new Error(`read at offset ${position} found the end of the file`);
    return { bytesRead: r.bytesRead, buffer };
  }
  async close(): Promise<void> {
    // The trace owns the real handle and closes it once.
  }
}

export function openArrow(path: string, opts: ArrowReadOptions = {}): Promise<ArrowTrace> {
  return withOwnedHandle(path, (fh) => openArrowHandle(fh, path, opts));
}

async function openArrowHandle(fh: FileHandle, file: string, opts: ArrowReadOptions): Promise<ArrowTrace> {
  const { size } = await fh.stat();
  if (size === 0) throw new InputError({ file }, 'empty file; expected an Arrow IPC file or stream');
  const head = await readAt(fh, 0, Math.min(size, FILE_PREFIX));
  const isFile = startsAsArrowFile(head);
  if (isFile && opts.layout !== 'stream') await checkFileTrailer(fh, file, size);
  const base = isFile && opts.layout === 'stream' ? FILE_PREFIX : 0;
  const handle = new WatchedHandle(fh, base, size - base);
  const layout = isFile && base === 0 ? 'file' : 'stream';
  const fail = (err: unknown): InputError => asInputError(err, file, handle.lastRead + base, layout);

  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(handle as unknown as FileHandle);
    await reader.open({ autoDestroy: false });
  } catch (err) {
    if (handle.reachedEnd && !(err instanceof InputError)) {
      throw new InputError({ file, byteOffset: size }, 'the file ends inside the Arrow schema; expected a complete schema message (file truncated?)');
    }
    throw fail(err);
  }
  if (!reader.schema) throw new InputError({ file, byteOffset: 0 }, `expected an Arrow IPC ${layout === 'file' ? 'file' : 'stream'} schema message`);
  const columns = checkArrowSchema(reader.schema, file);
  const meta = metaFromEntries(reader.schema.metadata, { label: 'schema metadata', at: () => ({ file }) });
  const endsCleanly = layout === 'file' || (await hasEndOfStream(fh, size));

  async function* batches(validator: TraceValidator): AsyncGenerator<TraceBatch> {
    const it = reader[Symbol.asyncIterator]();
    const kept = new KeptBatches(columns, file, validator);
    let ahead: Promise<IteratorResult<RecordBatch>> | undefined;
    /** Where the message being read starts: the read-ahead began there. */
    let aheadFrom = 0;
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      const before = ahead ? aheadFrom : handle.furthest;
      const pending = ahead ?? it.next();
      // Taken: a batch skipped below (an empty one) must not be read again.
      ahead = undefined;
      try {
        next = await pending;
      } catch (err) {
        if (layout === 'stream' && handle.reachedEnd && !(err instanceof InputError)) {
          opts.onWarning?.(
            `${file}: byte ${before + base}: the stream is cut off inside a message; ` +
              `${kept.summary()}, dropped the rest`,
          );
          return;
        }
        throw fail(err);
      }
      if (next.done) break;
      const batch = kept.take(next.value);
      if (!batch) continue;
      opts.onProgress?.(handle.furthest + base, size);
      // Start reading the next batch while the consumer works on this one: the
      // disk read overlaps the replay. Its error, if any, is thrown above on the
      // next turn; the catch only keeps an abandoned read from being unhandled.
      aheadFrom = handle.furthest;
      ahead = it.next();
      ahead.catch(() => {});
      yield batch;
    }
    if (!endsCleanly) {
      opts.onWarning?.(`${file}: the stream has no end-of-stream marker (a capture cut off?); ${kept.summary()}`);
    }
  }

  return { layout, meta, batches, close: closeOnce(fh) };
}

/**
 * An Arrow IPC stream read front to back (stdin, a FIFO, a decompressed
 * file): read as it arrives, batch by batch. An IPC file arriving this way is
 * read as the stream inside it (files we write carry its schema message),
 * never gathered into memory.
 */
export async function openArrowPipe(input: AsyncIterable<Uint8Array>, file: string, opts: ArrowReadOptions = {}): Promise<ArrowTrace> {
  const seen = { bytes: 0, ended: false, skipped: 0 };
  async function* counted(): AsyncGenerator<Uint8Array> {
    let head = true;
    for await (const chunk of input) {
      let c = chunk;
      if (head && c.byteLength > 0) {
        head = false;
        if (c.byteLength >= FILE_PREFIX && startsAsArrowFile(c)) {
          c = c.subarray(FILE_PREFIX);
          seen.skipped = FILE_PREFIX;
        } else if (!startsLikeStream(c)) {
          throw new InputError({ file, byteOffset: 0 }, 'expected an Arrow IPC stream');
        }
      }
      seen.bytes += c.byteLength;
      yield c;
    }
    seen.ended = true;
  }
  const where = (): number => seen.bytes + seen.skipped;
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(counted());
    await reader.open({ autoDestroy: false });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError({ file, byteOffset: where() }, seen.ended ? 'the input ends inside the Arrow schema; expected a complete schema message' : `expected an Arrow IPC stream (${err instanceof Error ? err.message : String(err)})`);
  }
  if (seen.bytes === 0) throw new InputError({ file }, 'empty input; expected an Arrow IPC stream');
  if (!reader.schema) throw new InputError({ file, byteOffset: 0 }, 'expected an Arrow IPC stream schema message');
  const columns = checkArrowSchema(reader.schema, file);
  const meta = metaFromEntries(reader.schema.metadata, { label: 'schema metadata', at: () => ({ file }) });

  async function* batches(validator: TraceValidator): AsyncGenerator<TraceBatch> {
    const it = reader[Symbol.asyncIterator]();
    const kept = new KeptBatches(columns, file, validator);
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await it.next();
      } catch (err) {
        if (seen.ended && !(err instanceof InputError)) {
          opts.onWarning?.(`${file}: the stream is cut off inside a message; ${kept.summary()}, dropped the rest`);
          return;
        }
        throw asInputError(err, file, where(), 'stream');
      }
      if (next.done) return;
      const batch = kept.take(next.value);
      if (!batch) continue;
      opts.onProgress?.(where(), 0);
      yield batch;
    }
  }

  // The caller owns the input and ends it.
  return { layout: 'stream', meta, batches, close: () => Promise.resolve() };
}

/** A stream opens with the continuation marker, or (before Arrow 0.15) with a plausible metadata length. */
function startsLikeStream(c: Uint8Array): boolean {
  if (c.byteLength < 4) return true;
  const first = new DataView(c.buffer, c.byteOffset, 4).getInt32(0, true);
  return first === -1 || (first > 0 && first < 1 << 24);
}

/** An IPC file ends with its footer, the footer's length and the magic; without them it was cut off. */
async function checkFileTrailer(fh: FileHandle, file: string, size: number): Promise<void> {
  const truncated = (): InputError =>
    new InputError(
      { file, byteOffset: size },
      'expected the Arrow file footer: the file is truncated (read its complete batches with --input-format arrows)',
    );
  if (size < FILE_PREFIX + FILE_TRAILER) throw truncated();
  const tail = await readAt(fh, size - FILE_TRAILER, FILE_TRAILER);
  if (Buffer.from(tail.subarray(4)).toString('latin1') !== `${ARROW_MAGIC}`) throw truncated();
  const footerLength = new DataView(tail.buffer, tail.byteOffset).getInt32(0, true);
  if (footerLength <= 0 || footerLength > size - FILE_PREFIX - FILE_TRAILER) {
    throw new InputError({ file, byteOffset: size - FILE_TRAILER }, `Arrow file footer length ${footerLength}; expected 1 to ${size - FILE_PREFIX - FILE_TRAILER}`);
  }
}

async function hasEndOfStream(fh: FileHandle, size: number): Promise<boolean> {
  if (size < 8) return false;
  const tail = await readAt(fh, size - 8, 8);
  // Streams written before Arrow 0.15 end with four zero bytes instead.
  return END_OF_STREAM.every((b, i) => tail[i] === b) || (tail[4] === 0 && tail[5] === 0 && tail[6] === 0 && tail[7] === 0);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

function asInputError(err: unknown, file: string, byteOffset: number, layout: 'file' | 'stream'): InputError {
  if (err instanceof InputError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new InputError({ file, byteOffset }, `expected a valid Arrow IPC ${layout} message (${why})`);
}

/** Record batches to checked trace batches, counted: a stream cut off keeps what came before, and says how much. */
class KeptBatches {
  private rows = 0;
  private index = 0;
  constructor(
    private readonly columns: ArrowColumns,
    private readonly file: string,
    private readonly validator: TraceValidator,
  ) {}

  /** The trace batch of `rb`, validated; undefined for an empty record batch, which holds no rows to number. */
  take(rb: RecordBatch): TraceBatch | undefined {
    if (rb.numRows === 0) return undefined;
    const batch = toTraceBatch(rb, this.columns, this.rows, this.file, this.index);
    this.validator.check(batch);
    this.rows += batch.length;
    this.index++;
    return batch;
  }

  summary(): string {
    return `kept the ${this.rows} rows of its ${this.index} complete batches`;
  }
}

/**
 * One record batch as a TraceBatch: views where the layout is the model's,
 * a pass where nulls, a foreign kind encoding or another integer type need
 * one.
 */
function toTraceBatch(rb: RecordBatch, cols: ArrowColumns, firstRow: number, file: string, index: number): TraceBatch {
  const length = rb.numRows;
  const child = (name: keyof ArrowColumns['index']): Data => rb.data.children[cols.index[name]]!;
  const where = (i: number) => ({ file, row: firstRow + i + 1 });
  const values = (name: keyof ArrowColumns['index']): IntValues => {
    const d = child(name);
    const all = d.values as unknown as IntValues | undefined;
    if (!all || all.length < d.offset + length) {
      throw new InputError({ file }, `record batch ${index + 1}: column ${name} holds ${all?.length ?? 0} values, expected ${d.offset + length}`);
    }
    return all.subarray(d.offset, d.offset + length);
  };
  /** A numeric column as the model's typed array: a view, or converted with each value checked. */
  const column = <T extends IntTarget>(name: NumericColumn, target: T): ReturnType<typeof widen<T>> => {
    const v = values(name);
    if (!cols.converted[name]) return v as ReturnType<typeof widen<T>>;
    const d = child(name);
    const isNull = d.nullCount > 0 && d.nullBitmap ? (i: number) => !d.getValid(i) : undefined;
    return widen(v, target, isNull, (i, value) => {
      throw new InputError(where(i), `column ${name} holds ${value}; expected a value that fits ${target}`);
    });
  };

  // Lengths first: they bound every later pass over the batch (strings are checked by their offsets).
  for (const name of COLUMNS) if (name !== 'kind' || cols.kind !== 'strings') values(name);
  rejectNulls(child('t_ns'), length, (i) => new InputError(where(i), 'null t_ns; expected a time in nanoseconds'));
  const t = column('t_ns', 'int64');
  const tid = column('tid', 'uint32');
  const addr = column('addr', 'uint64');
  const cpu = column('cpu', 'int32');
  // Missing thread ids and addresses mean "unknown" (0), a missing cpu means "not a vCPU" (-1), as in CSV.
  fillNulls(child('tid'), length, tid, 0);
  fillNulls(child('addr'), length, addr, 0n);
  fillNulls(child('cpu'), length, cpu, -1);

  const kd = child('kind');
  rejectNulls(kd, length, (i) => new InputError(where(i), 'null kind; expected vcpu, fault or resolve'));
  const kind = kindCodes(kd, cols.kind, length, firstRow, file);
  return { length, firstRow, t, kind, tid, addr, cpu };
}

function rejectNulls(d: Data, length: number, error: (i: number) => InputError): void {
  if (d.nullCount <= 0 || !d.nullBitmap) return;
  for (let i = 0; i < length; i++) if (!d.getValid(i)) throw error(i);
}

/** Writes `fill` into the null cells of the batch's `length` rows, in place: the buffer is the one Arrow just read for us. */
function fillNulls<T>(d: Data, length: number, values: { [i: number]: T }, fill: T): void {
  if (d.nullCount <= 0 || !d.nullBitmap) return;
  for (let i = 0; i < length; i++) if (!d.getValid(i)) values[i] = fill;
}
