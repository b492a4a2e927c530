/**
 * The three line prefixes of QEMU's `log` trace backend (docs/qemu-logs.md#line-prefixes):
 * `TID@SECONDS.MICROS:` (QEMU <= 10.0 with `-msg timestamp=on`), an ISO-8601
 * UTC time and a space (newer QEMU), or nothing. One file uses one form.
 */

export type PrefixForm = 'tid' | 'iso' | 'none';

/** What a line's prefix said; reused from line to line (no object per line). */
export interface Prefix {
  form: PrefixForm;
  /** The thread that wrote the line (`tid` form only), else 0. */
  writerTid: number;
  /** Wall-clock time split at the second: `sec` whole seconds since the epoch, `frac` ns. Meaningless for `none`. */
  sec: number;
  frac: number;
  /** Index in the line where the event name starts. */
  rest: number;
}

export function newPrefix(): Prefix {
  return { form: 'none', writerTid: 0, sec: 0, frac: 0, rest: 0 };
}

const ZERO = 48;
const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

function isDigit(c: number): boolean {
  return c >= ZERO && c <= ZERO + 9;
}

/** Digits from `i` as an exact integer (at most 15 of them), or -1; `cursor.end` is where it stopped. */
/** Where the last `digitsAt` stopped. */
const cursor = { end: 0 };
function digitsAt(line: string, i: number, max: number): number {
  let v = 0;
  let j = i;
  while (j < line.length && j - i < max) {
    const c = line.charCodeAt(j);
    if (!isDigit(c)) break;
    v = v * 10 + (c - ZERO);
    j++;
  }
  cursor.end = j;
  return j === i ? -1 : v;
}

/** Exactly two digits at `i`, or -1. */
function twoDigits(line: string, i: number): number {
  const a = line.charCodeAt(i);
  const b = line.charCodeAt(i + 1);
  return isDigit(a) && isDigit(b) ? (a - ZERO) * 10 + (b - ZERO) : -1;
}

/** Fractional digits at `i` (1 to 9) as ns, or -1. */
function fractionAt(line: string, i: number): number {
  const v = digitsAt(line, i, 10);
  const n = cursor.end - i;
  if (v < 0 || n > 9) return -1;
  return v * SCALE[n]!;
}

/** Days from 1970-01-01 of a UTC date, cached: consecutive lines share their day. */
let cachedDay = '';
let cachedDaySec = 0;

/**
 * Reads the prefix of `line` into `p`. Any line that does not start with a
 * valid `tid` or `iso` prefix has form `none` and its event starts at 0.
 */
export function readPrefix(line: string, p: Prefix): void {
  p.writerTid = 0;
  p.sec = 0;
  p.frac = 0;
  p.rest = 0;
  p.form = 'none';
  const c0 = line.charCodeAt(0);
  if (!isDigit(c0)) return;
  // ISO: YYYY-MM-DDTHH:MM:SS[.fff]Z<space>
  if (line.length > 20 && line.charCodeAt(4) === 45 /* - */ && line.charCodeAt(10) === 84 /* T */) {
    readIso(line, p);
    return;
  }
  const tid = digitsAt(line, 0, 10);
  if (line.charCodeAt(cursor.end) !== 64 /* @ */) return;
  const secStart = cursor.end + 1;
  const sec = digitsAt(line, secStart, 15);
  if (sec < 0 || line.charCodeAt(cursor.end) !== 46 /* . */) return;
  const fracStart = cursor.end + 1;
  const frac = fractionAt(line, fracStart);
  if (frac < 0 || line.charCodeAt(cursor.end) !== 58 /* : */) return;
  p.form = 'tid';
  p.writerTid = tid;
  p.sec = sec;
  p.frac = frac;
  p.rest = cursor.end + 1;
}

function readIso(line: string, p: Prefix): void {
  const day = line.slice(0, 10);
  if (day !== cachedDay) {
    const y = digitsAt(line, 0, 4);
    const mo = digitsAt(line, 5, 2);
    const d = digitsAt(line, 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || line.charCodeAt(7) !== 45) return;
    cachedDay = day;
    cachedDaySec = Date.UTC(y, mo - 1, d) / 1000;
  }
  const h = twoDigits(line, 11);
  const mi = twoDigits(line, 14);
  const s = twoDigits(line, 17);
  if (line.charCodeAt(13) !== 58 || line.charCodeAt(16) !== 58 || h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 60) return;
  let i = 19;
  let frac = 0;
  if (line.charCodeAt(i) === 46 /* . */) {
    frac = fractionAt(line, i + 1);
    if (frac < 0) return;
    i = cursor.end;
  }
  if (line.charCodeAt(i) !== 90 /* Z */ || line.charCodeAt(i + 1) !== 32) return;
  p.form = 'iso';
  p.sec = cachedDaySec + h * 3600 + mi * 60 + s;
  p.frac = frac;
  p.rest = i + 2;
}
