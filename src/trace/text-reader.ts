/**
 * What CSV and NDJSON readers share: the file read in chunks of whole lines,
 * lines counted, rows parsed straight into preallocated batches (with the
 * line of each row kept for the validator's messages), each full batch
 * checked and handed out. Each format says only where its rows start and how
 * one line becomes one row.
 */
import { InputError } from '../errors.js';
import { allocBatch, sliceBatch } from './batch.js';
import type { TraceBatch } from './batch.js';
import { readUpTo, type ByteReader, type TraceInput } from './byte-input.js';
import type { FormatReader } from './reader.js';
import { DEFAULT_BATCH_ROWS } from './schema.js';
import type { TraceMeta } from './schema.js';
import { batchCapacity, textChunks } from './text-chunks.js';
import type { TraceValidator } from './validate.js';

export interface TextReadOptions {
  batchRows?: number | undefined;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

/** What a format's layout sees first: a header and its comments must come within this many bytes. */
export const HEAD_BYTES = 1 << 16;

/**
 * One format's line parser. Its state lives in the object, so that no
 * closure is made per row: the target batch with 32-bit views on its 64-bit
 * columns (exact values written as halves, no BigInt per row), and the line
 * being parsed, for the error messages.
 */
export abstract class TextRowParser {
  protected batch!: TraceBatch;
  /** t and addr as lo/hi 32-bit halves. */
  protected tw!: Uint32Array;
  protected aw!: Uint32Array;
  protected b: Uint8Array = new Uint8Array(0);
  /** The row's first byte and the end of its line. */
  protected start = 0;
  protected end = 0;
  private line = 0;
  private row = 0;

  constructor(protected readonly file: string) {}

  /** Rows are parsed into this batch from now on. */
  target(batch: TraceBatch): void {
    this.batch = batch;
    this.tw = new Uint32Array(batch.t.buffer, batch.t.byteOffset, batch.t.length * 2);
    this.aw = new Uint32Array(batch.addr.buffer, batch.addr.byteOffset, batch.addr.length * 2);
  }

  /**
   * Parses the line b[p, eol) (newline excluded) into row i of the target
   * batch when it holds a row, and says whether it did: blank lines and
   * comments hold none. `line` and `row` (1-based) place its errors.
   */
  abstract parseLine(b: Uint8Array, p: number, eol: number, i: number, line: number, row: number): boolean;

  /** Makes b[start, end) on `line` the row being parsed. */
  protected begin(b: Uint8Array, start: number, end: number, line: number, row: number): void {
    this.b = b;
    this.start = start;
    this.end = end;
    this.line = line;
    this.row = row;
  }

  protected fail(what: string): never {
    throw new InputError({ file: this.file, line: this.line, row: this.row }, what);
  }
}

export interface TextLayout {
  meta: TraceMeta;
  /** Bytes and lines before the first row (a header and its comments). */
  startByte: number;
  startLine: number;
  parser: TextRowParser;
  /** Set when a file without rows is an error: what was expected. */
  noRows?: string;
}

const NEWLINE = 0x0a;

/**
 * Opens a text trace; `layout` reads what precedes its rows (metadata,
 * header) in the first HEAD_BYTES bytes (all of them, or the whole text) and
 * picks the parser.
 */
export async function openTextReader(input: TraceInput, opts: TextReadOptions, layout: (head: Uint8Array, file: string) => TextLayout): Promise<FormatReader> {
  const reader = await input.open();
  try {
    const head = await readUpTo(reader, HEAD_BYTES);
    return textReader(reader, input, head, layout(head, input.name), opts);
  } catch (err) {
    await reader.close();
    throw err;
  }
}

function textReader(reader: ByteReader, input: TraceInput, head: Uint8Array, layout: TextLayout, opts: TextReadOptions): FormatReader {
  const file = input.name;
  const capacity = batchCapacity(opts.batchRows ?? DEFAULT_BATCH_ROWS, input.length);
  const { parser } = layout;
  const progress = opts.onProgress;
  const onProgress = progress ? () => progress(reader.consumed, input.size) : undefined;

  async function* batches(validator: TraceValidator): AsyncGenerator<TraceBatch> {
    let batch = allocBatch(capacity, 0);
    let lines = new Float64Array(capacity);
    const lineOf = (i: number): number => lines[i]!;
    parser.target(batch);
    let n = 0;
    let line = layout.startLine;
    let row = 0;
    for await (const chunk of textChunks(reader, file, head.subarray(layout.startByte), layout.startByte, input.length, onProgress)) {
      const b = chunk.bytes;
      const size = b.length;
      let p = 0;
      if (chunk.byteOffset === 0 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) p = 3;
      while (p < size) {
        let eol = b.indexOf(NEWLINE, p);
        if (eol < 0) eol = size;
        line++;
        if (parser.parseLine(b, p, eol, n, line, row + 1)) {
          row++;
          lines[n] = line;
          if (++n === capacity) {
            validator.check(batch, lineOf);
            yield batch;
            batch = allocBatch(capacity, row);
            lines = new Float64Array(capacity);
            parser.target(batch);
            n = 0;
          }
        }
        p = eol + 1;
      }
    }
    if (row === 0 && layout.noRows !== undefined) throw new InputError({ file }, layout.noRows);
    if (n > 0) {
      const last = sliceBatch(batch, n);
      validator.check(last, lineOf);
      yield last;
    }
  }

  return { meta: layout.meta, batches, close: () => reader.close() };
}
