/**
 * CSV as docs/trace-format.md, parsed straight from bytes in chunks: header
 * `t_ns,kind,tid,addr,cpu`, `addr` decimal or 0x hex, `cpu` empty on
 * non-vCPU rows, `#` comment lines. Comment lines before the header of the
 * form `# blocktime.<key>=<value>` carry the trace metadata (our writer puts
 * them there); the options override them.
 */
import { InputError } from '../errors.js';
import type { TraceInput } from './byte-input.js';
import { metaFromEntries } from './meta-entries.js';
import type { FormatReader } from './reader.js';
import { COLUMNS } from './schema.js';
import { HEAD_BYTES, TextRowParser, openTextReader } from './text-reader.js';
import type { TextReadOptions } from './text-reader.js';
import { parseI32, parseI64, parseU32, parseU64, parsed } from './text-numbers.js';
import { badValue, kindAt, shown } from './text-row.js';
import type { Column } from './text-row.js';

const HEADER = COLUMNS.join(',');
const META_COMMENT = /^#\s*(blocktime\.[a-z_]+)\s*=\s*(.*?)\s*$/;

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const SPACE = 0x20;
const TAB = 0x09;

export function openCsv(input: TraceInput, opts: TextReadOptions = {}): Promise<FormatReader> {
  return openTextReader(input, opts, (head, file) => {
    const preamble = readPreamble(head, file);
    const meta = metaFromEntries(preamble.meta, { label: 'metadata comment', at: (key) => ({ file, line: preamble.metaLines.get(key)! }) });
    return { meta, startByte: preamble.bytes, startLine: preamble.lines, parser: new CsvRowParser(file) };
  });
}

class CsvRowParser extends TextRowParser {
  parseLine(b: Uint8Array, p: number, eol: number, i: number, line: number, row: number): boolean {
    let end = eol;
    if (end > p && b[end - 1] === CR) end--;
    const start = skipBlanks(b, p, end);
    if (start === end || b[start] === HASH) return false;
    this.begin(b, start, end, line, row);
    this.parse(b, start, end, i);
    return true;
  }

  private parse(b: Uint8Array, p: number, end: number, i: number): void {
    let q = p;
    let f = parseI64(b, q, end);
    if (f < 0) this.bad('t_ns', q, true);
    this.tw[2 * i] = parsed.lo;
    this.tw[2 * i + 1] = parsed.hi;
    q = this.next('t_ns', f, q, false);

    const kEnd = trimEnd(b, q, this.fieldEnd(q));
    const k = kindAt(b, q, kEnd);
    if (k < 0) this.fail(`column kind: expected vcpu, fault or resolve, got ${shown(b, q, kEnd)}`);
    this.batch.kind[i] = k;
    q = this.next('kind', kEnd, q, false);

    f = parseU32(b, q, end);
    if (f < 0) this.bad('tid', q, true);
    this.batch.tid[i] = parsed.lo;
    q = this.next('tid', f, q, false);

    f = parseU64(b, q, end, true);
    if (f < 0) this.bad('addr', q, true);
    this.aw[2 * i] = parsed.lo;
    this.aw[2 * i + 1] = parsed.hi;
    q = this.next('addr', f, q, false);

    if (q === end) {
      this.batch.cpu[i] = -1;
    } else if (b[q] === COMMA) {
      this.fail(fieldCount(b, p, end));
    } else {
      f = parseI32(b, q, end);
      if (f < 0) this.bad('cpu', q, true);
      this.batch.cpu[i] = parsed.lo | 0;
      this.next('cpu', f, q, true);
    }
  }

  /** After a value: optional blanks, then a comma, or the end of the line after the last column. */
  private next(column: Column, q: number, start: number, last: boolean): number {
    const { b, end } = this;
    q = skipBlanks(b, q, end);
    if (last) {
      if (q !== end) return b[q] === COMMA ? this.fail(fieldCount(b, this.start, end)) : this.bad(column, start, false);
      return q;
    }
    if (q === end) return this.fail(fieldCount(b, this.start, end));
    if (b[q] !== COMMA) return this.bad(column, start, false);
    return skipBlanks(b, q + 1, end);
  }

  private fieldEnd(q: number): number {
    const c = this.b.indexOf(COMMA, q);
    return c < 0 || c > this.end ? this.end : c;
  }

  private bad(column: Column, q: number, afterNumber: boolean): never {
    const e = trimEnd(this.b, q, this.fieldEnd(q));
    return this.fail(badValue(column, shown(this.b, q, e), afterNumber));
  }
}

interface Preamble {
  meta: Map<string, string>;
  /** The line of each metadata comment. */
  metaLines: Map<string, number>;
  /** Bytes and lines up to and including the header line. */
  bytes: number;
  lines: number;
}

/** Reads the metadata comments and the header from the text's first bytes (metadata comments and the header must come within HEAD_BYTES). */
function readPreamble(buf: Uint8Array, file: string): Preamble {
  const bytesRead = buf.length;
  if (bytesRead === 0) throw new InputError({ file }, `empty file; expected the CSV header ${HEADER}`);
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const meta = new Map<string, string>();
  const metaLines = new Map<string, number>();
  let p = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let line = 0;
  while (p < bytesRead) {
    let eol = text.indexOf(NEWLINE, p);
    if (eol < 0 || eol >= bytesRead) {
      if (bytesRead === HEAD_BYTES) break;
      eol = bytesRead;
    }
    line++;
    const content = text.toString('utf8', p, eol).trim();
    if (content.startsWith('#')) {
      const m = META_COMMENT.exec(content);
      if (m) {
        meta.set(m[1]!, m[2]!);
        metaLines.set(m[1]!, line);
      }
    } else if (content !== '') {
      if (content.replace(/\s+/g, '') !== HEADER) {
        throw new InputError({ file, line }, `expected the CSV header ${HEADER}, got ${JSON.stringify(content.length > 60 ? `${content.slice(0, 60)}...` : content)}`);
      }
      return { meta, metaLines, bytes: Math.min(eol + 1, bytesRead), lines: line };
    }
    p = eol + 1;
  }
  throw new InputError({ file, line: line + 1 }, `expected the CSV header ${HEADER}${bytesRead < HEAD_BYTES ? ', found only comments' : ' within the first 64 KiB'}`);
}

function skipBlanks(b: Uint8Array, p: number, end: number): number {
  while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
  return p;
}

function trimEnd(b: Uint8Array, p: number, end: number): number {
  while (end > p && (b[end - 1] === SPACE || b[end - 1] === TAB)) end--;
  return end;
}

function fieldCount(b: Uint8Array, p: number, end: number): string {
  let n = 1;
  for (let q = p; q < end; q++) if (b[q] === COMMA) n++;
  return `expected 5 fields (${HEADER}), got ${n}`;
}
