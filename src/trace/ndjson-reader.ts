/**
 * NDJSON as docs/trace-format.md: one flat object per line with the keys t_ns,
 * kind, tid, addr, cpu. Parsed from bytes with exact 64-bit integers (no
 * JSON.parse, which would round t_ns through a double): `addr` as a 0x hex
 * string or a number below 2^53, `t_ns` as an integer number (or a string of
 * digits), `cpu` an integer or null. Other keys with scalar values are
 * ignored. A first line without `t_ns` whose keys are `blocktime.*` carries
 * the trace metadata (our writer puts it there); the options override it.
 */
import { InputError } from '../errors.js';
import type { TraceInput } from './byte-input.js';
import type { FormatReader } from './reader.js';
import { DEFAULT_PAGE_SIZE, Kind } from './schema.js';
import { HEAD_BYTES, TextRowParser, openTextReader } from './text-reader.js';
import type { TextLayout, TextReadOptions } from './text-reader.js';
import { metaFromEntries } from './meta-entries.js';
import { parseI32, parseI64, parseU32, parseU64, parsed } from './text-numbers.js';
import { EXPECTED, badValue, kindAt, shown } from './text-row.js';
import type { Column } from './text-row.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

const KEYS: readonly Column[] = ['t_ns', 'kind', 'tid', 'addr', 'cpu'];
const KEY_BYTES = KEYS.map((k) => new TextEncoder().encode(k));
const SEEN_REQUIRED = 0b00111;
/** JSON numbers above this may already have been rounded by whoever wrote them. */
const TWO_53_HI = 0x200000;

export function openNdjson(input: TraceInput, opts: TextReadOptions = {}): Promise<FormatReader> {
  return openTextReader(input, opts, (head, file) => {
    if (head.length === 0) throw new InputError({ file }, 'empty file; expected one JSON object per line');
    const layout: TextLayout = { meta: { pageSize: DEFAULT_PAGE_SIZE }, startByte: 0, startLine: 0, parser: new NdjsonRowParser(file) };
    const first = metadataLine(head, file);
    if (!first) return { ...layout, noRows: 'no rows; expected one JSON object per line' };
    // A trace with no rows is written as its metadata line alone.
    return { ...layout, meta: metaFromEntries(first.entries, { label: 'metadata', at: () => ({ file, line: first.line }) }), startByte: first.end, startLine: first.line };
  });
}

/** The metadata line, when the first line that is not blank is one: its entries as the key/value strings of every format, its line, and the offset after it. */
function metadataLine(head: Uint8Array, file: string): { entries: Map<string, string>; line: number; end: number } | undefined {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  let p = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  let line = 0;
  for (;;) {
    let eol = text.indexOf(0x0a, p);
    // A line the head does not hold whole is a row (no metadata line comes near HEAD_BYTES).
    if (eol < 0 && head.length === HEAD_BYTES) return undefined;
    if (eol < 0) eol = head.length;
    line++;
    const content = text.toString('utf8', p, eol).trim();
    if (content !== '') return metadataEntries(content, file, line, Math.min(eol + 1, head.length));
    if (eol >= head.length) return undefined;
    p = eol + 1;
  }
}

function metadataEntries(content: string, file: string, line: number, end: number): { entries: Map<string, string>; line: number; end: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    // Not JSON: the row parser says where it breaks.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  if (keys.includes('t_ns') || !keys.some((k) => k.startsWith('blocktime.'))) return undefined;
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!key.startsWith('blocktime.')) continue;
    if (typeof value === 'string') entries.set(key, value);
    else if (typeof value === 'number') {
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new InputError({ file, line }, `metadata ${key} is a number beyond 2^53, which JSON readers round; expected a string of digits`);
      }
      entries.set(key, String(value));
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) entries.set(key, JSON.stringify(value));
    else throw new InputError({ file, line }, `metadata ${key} is ${JSON.stringify(value)}; expected a number, a string or (blocktime.source) an object`);
  }
  return { entries, line, end };
}

class NdjsonRowParser extends TextRowParser {
  parseLine(b: Uint8Array, p: number, eol: number, i: number, line: number, row: number): boolean {
    const start = skipWs(b, p, eol);
    if (start === eol) return false;
    this.begin(b, start, eol, line, row);
    this.parse(b, start, eol, i);
    return true;
  }

  private parse(b: Uint8Array, p: number, end: number, i: number): void {
    const { batch } = this;
    this.aw[2 * i] = 0;
    this.aw[2 * i + 1] = 0;
    batch.cpu[i] = -1;
    if (b[p] !== OPEN) this.expected('a JSON object', p);
    let q = skipWs(b, p + 1, end);
    let seen = 0;
    if (b[q] !== CLOSE) {
      for (;;) {
        if (b[q] !== QUOTE) this.expected('a key in double quotes', q);
        const keyEnd = this.stringEnd(q);
        const key = keyIndex(b, q + 1, keyEnd);
        q = skipWs(b, keyEnd + 1, end);
        if (b[q] !== COLON) this.expected("':'", q);
        q = skipWs(b, q + 1, end);
        if (key >= 0) {
          if (seen & (1 << key)) this.fail(`key ${KEYS[key]} appears twice`);
          seen |= 1 << key;
          q = this.value(key, q, i);
        } else {
          q = this.skipScalar(q);
        }
        q = skipWs(b, q, end);
        if (b[q] === COMMA) {
          q = skipWs(b, q + 1, end);
          continue;
        }
        if (b[q] === CLOSE) break;
        this.expected("',' or '}'", q);
      }
    }
    q = skipWs(b, q + 1, end);
    if (q !== end) this.expected('the end of the line after the object', q);
    if ((seen & SEEN_REQUIRED) !== SEEN_REQUIRED) {
      const missing = KEYS.filter((_, k) => k < 3 && !(seen & (1 << k)));
      this.fail(`missing key ${missing.join(', ')}; expected an object with t_ns, kind, tid, addr, cpu`);
    }
    if (!(seen & (1 << 3)) && batch.kind[i] !== Kind.vcpu) this.fail('missing key addr; expected the address of a fault or resolve');
  }

  /** Parses the value of KEYS[key] at q into row i; returns the position after it. */
  private value(key: number, q: number, i: number): number {
    const { b, end, batch } = this;
    const column = KEYS[key]!;
    switch (column) {
      case 't_ns': {
        const quoted = b[q] === QUOTE;
        const f = parseI64(b, quoted ? q + 1 : q, end);
        if (f < 0) this.badValue(column, q, true);
        this.tw[2 * i] = parsed.lo;
        this.tw[2 * i + 1] = parsed.hi;
        return this.afterNumber(column, q, f, quoted);
      }
      case 'kind': {
        if (b[q] !== QUOTE) this.badValue(column, q, false);
        const e = this.stringEnd(q);
        const k = kindAt(b, q + 1, e);
        if (k < 0) this.fail(`key kind: expected ${EXPECTED.kind}, got ${shown(b, q + 1, e)}`);
        batch.kind[i] = k;
        return e + 1;
      }
      case 'tid': {
        const f = parseU32(b, q, end);
        if (f < 0) this.badValue(column, q, true);
        batch.tid[i] = parsed.lo;
        return this.afterNumber(column, q, f, false);
      }
      case 'addr': {
        const quoted = b[q] === QUOTE;
        const f = parseU64(b, quoted ? q + 1 : q, end, quoted);
        if (f < 0) this.badValue(column, q, true);
        if (!quoted && parsed.hi >= TWO_53_HI) {
          this.fail(`key addr: the number ${shown(b, q, f)} is 2^53 or more and may have been rounded; expected a 0x hex string`);
        }
        this.aw[2 * i] = parsed.lo;
        this.aw[2 * i + 1] = parsed.hi;
        return this.afterNumber(column, q, f, quoted);
      }
      case 'cpu': {
        if (b[q] === 0x6e) return this.literal(q, 'null', column);
        const f = parseI32(b, q, end);
        if (f < 0) this.badValue(column, q, true);
        batch.cpu[i] = parsed.lo | 0;
        return this.afterNumber(column, q, f, false);
      }
    }
  }

  /** A number must end where a JSON token can: no fraction, exponent or trailing garbage. */
  private afterNumber(column: Column, start: number, q: number, quoted: boolean): number {
    const c = this.b[q];
    if (quoted) {
      if (c !== QUOTE) this.badValue(column, start, false);
      return q + 1;
    }
    if (q < this.end && c !== COMMA && c !== CLOSE && c !== 0x20 && c !== 0x09 && c !== 0x0d) this.badValue(column, start, false);
    return q;
  }

  private literal(q: number, word: string, column: Column): number {
    for (let k = 0; k < word.length; k++) if (this.b[q + k] !== word.charCodeAt(k)) this.badValue(column, q, false);
    return q + word.length;
  }

  /** Skips the value of a key we do not know; nested objects and arrays are not part of the model. */
  private skipScalar(q: number): number {
    const { b, end } = this;
    const c = b[q];
    if (c === QUOTE) return this.stringEnd(q) + 1;
    if (c === OPEN || c === 0x5b) this.expected('a flat object (scalar values only)', q);
    let e = q;
    while (e < end && b[e] !== COMMA && b[e] !== CLOSE && b[e] !== 0x20 && b[e] !== 0x09 && b[e] !== 0x0d) e++;
    if (e === q || !isScalarToken(b, q, e)) this.expected('a JSON value', q);
    return e;
  }

  /** Position of the quote closing the string that opens at q. */
  private stringEnd(q: number): number {
    const { b, end } = this;
    for (let e = q + 1; e < end; e++) {
      if (b[e] === BACKSLASH) e++;
      else if (b[e] === QUOTE) return e;
    }
    return this.expected('a closing double quote', end);
  }

  private badValue(column: Column, q: number, afterNumber: boolean): never {
    const { b, end } = this;
    let e = q;
    if (b[q] === QUOTE) e = this.stringEndOrLine(q++);
    else while (e < end && b[e] !== COMMA && b[e] !== CLOSE) e++;
    return this.fail(badValue(column, shown(b, q, e), afterNumber).replace(/^column /, 'key '));
  }

  private stringEndOrLine(q: number): number {
    const { b, end } = this;
    for (let e = q + 1; e < end; e++) if (b[e] === QUOTE) return e;
    return end;
  }

  private expected(what: string, q: number): never {
    const got = q >= this.end ? 'the end of the line' : shown(this.b, q, Math.min(this.end, q + 12));
    return this.fail(`expected ${what} at column ${q - this.start + 1}, got ${got}`);
  }
}

function keyIndex(b: Uint8Array, p: number, end: number): number {
  outer: for (let k = 0; k < KEY_BYTES.length; k++) {
    const key = KEY_BYTES[k]!;
    if (key.length !== end - p) continue;
    for (let j = 0; j < key.length; j++) if (b[p + j] !== key[j]) continue outer;
    return k;
  }
  return -1;
}

function isScalarToken(b: Uint8Array, p: number, e: number): boolean {
  const text = Buffer.from(b.buffer, b.byteOffset + p, e - p).toString('latin1');
  return text === 'true' || text === 'false' || text === 'null' || /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text);
}

function skipWs(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
    p++;
  }
  return p;
}

