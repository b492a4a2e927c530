/**
 * Strict parsers for the quantities users type on the command line: durations
 * (`200us`), sizes (`4G`), rates (`100MB/s`), counts (`50M`) and fractions
 * (`0.3`, `30%`). Every command uses these, so a value means the same thing
 * everywhere; a malformed one is a `UsageError` (exit 2) naming the option and
 * the expected form, never a silent NaN.
 */
import { UsageError } from '../errors.js';

const NUMBER = '((?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:[eE][+-]?\\d+)?)';

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
};

/**
 * Size suffixes are powers of 1024, with or without `B` or `iB`, as QEMU reads
 * `-m 4G` and `max-bandwidth`: `4G`, `4GB` and `4GiB` are all 4 * 2^30 bytes.
 */
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};

const COUNT_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

function fail(option: string, text: string, expected: string): never {
  throw new UsageError(`${option}: invalid value '${text}': expected ${expected}`);
}

function splitNumber(text: string): { value: number; unit: string } | undefined {
  const m = new RegExp(`^\\s*${NUMBER}\\s*([a-zA-Zµ/%]*)\\s*$`).exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return undefined;
  return { value, unit: m[2]! };
}

/**
 * A duration in whole nanoseconds: `250ns`, `200us` (or `µs`), `2ms`, `1.5s`,
 * `2m`, `1h`. A bare number takes `bareUnit` when given (e.g. `--duration 2`
 * means seconds) and is an error otherwise, because `--latency 200` could mean
 * anything.
 */
export function parseDuration(option: string, text: string, bareUnit?: 'ns' | 'us' | 'ms' | 's'): number {
  const expected = `a duration like 200us, 2ms or 1.5s${bareUnit ? ` (a bare number is in ${bareUnit})` : ''}`;
  const parts = splitNumber(text);
  if (!parts) fail(option, text, expected);
  const unit = parts.unit === '' ? bareUnit : parts.unit;
  const scale = unit === undefined ? undefined : DURATION_UNITS[unit];
  if (scale === undefined) fail(option, text, expected);
  const ns = parts.value * scale;
  if (!Number.isSafeInteger(Math.round(ns))) fail(option, text, `${expected}, below 2^53 ns`);
  if (Math.abs(ns - Math.round(ns)) > 1e-6 * Math.max(1, ns)) fail(option, text, `${expected}, a whole number of nanoseconds`);
  return Math.round(ns);
}

/** A size in bytes: `4096`, `512M`, `4G`, `4GiB`, `1.5T` (powers of 1024; see SIZE_UNITS). */
export function parseSize(option: string, text: string): number {
  const expected = 'a size like 4096, 512M, 4G or 4GiB (K, M, G, T are powers of 1024)';
  const parts = splitNumber(text);
  if (!parts) fail(option, text, expected);
  const scale = sizeScale(parts.unit);
  if (scale === undefined) fail(option, text, expected);
  const bytes = parts.value * scale;
  if (!Number.isSafeInteger(bytes)) fail(option, text, `${expected}, a whole number of bytes below 2^53`);
  return bytes;
}

function sizeScale(unit: string): number | undefined {
  const u = unit.toLowerCase();
  const m = /^([kmgtp]?)(i?b)?$/.exec(u);
  if (!m) return undefined;
  if (m[1] === '' && m[2] === 'ib') return undefined;
  return SIZE_UNITS[m[1] || (m[2] ? 'b' : '')];
}

/** A rate in bytes per second: `100MB/s`, `1G/s`, `512KiB/s`, `0` (none). The `/s` is required except for 0. */
export function parseRate(option: string, text: string): number {
  const expected = 'a rate like 100MB/s or 1G/s (K, M, G, T are powers of 1024), or 0';
  if (/^\s*0+(\.0+)?\s*$/.test(text)) return 0;
  const m = /^(.*?)\s*\/\s*s\s*$/.exec(text);
  if (!m) fail(option, text, expected);
  const parts = splitNumber(m[1]!);
  if (!parts) fail(option, text, expected);
  const scale = sizeScale(parts.unit);
  if (scale === undefined) fail(option, text, expected);
  const rate = parts.value * scale;
  if (!Number.isFinite(rate) || rate > Number.MAX_SAFE_INTEGER) fail(option, text, expected);
  return rate;
}

/** A whole count: `5000`, `2k`, `50M`, `1G` (powers of 1000), or `1e6`; at least `min`. */
export function parseCount(option: string, text: string, min = 0): number {
  const expected = `a whole number${min > 0 ? ` >= ${min}` : ''} like 5000, 2k or 50M`;
  const parts = splitNumber(text);
  if (!parts) fail(option, text, expected);
  const scale = COUNT_UNITS[parts.unit.toLowerCase()];
  if (scale === undefined) fail(option, text, expected);
  const n = parts.value * scale;
  if (!Number.isSafeInteger(n) || n < min) fail(option, text, expected);
  return n;
}

/** A fraction in [0, 1]: `0.3`, `.05` or `30%`. */
export function parseFraction(option: string, text: string): number {
  const expected = 'a fraction between 0 and 1 like 0.3, or a percentage like 30%';
  const parts = splitNumber(text);
  if (!parts || (parts.unit !== '' && parts.unit !== '%')) fail(option, text, expected);
  const f = parts.unit === '%' ? parts.value / 100 : parts.value;
  if (!(f >= 0 && f <= 1)) fail(option, text, expected);
  return f;
}

/** A non-negative real number (a lognormal sigma, a ratio). */
export function parseNumber(option: string, text: string, min = 0): number {
  const expected = `a number >= ${min}`;
  const parts = splitNumber(text);
  if (!parts || parts.unit !== '' || parts.value < min) fail(option, text, expected);
  return parts.value;
}

/** Formats nanoseconds the way the parsers read them back: `200us`, `1.5s`. */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  for (const [unit, scale] of [
    ['s', 1e9],
    ['ms', 1e6],
    ['us', 1e3],
  ] as const) {
    if (ns >= scale) return `${+(ns / scale).toPrecision(6)}${unit}`;
  }
  return `${ns}ns`;
}

/** Formats bytes with the largest binary suffix that keeps it short: `4G`, `512M`, `1.5K`. */
export function formatSize(bytes: number): string {
  for (const [unit, scale] of [
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const) {
    if (bytes >= scale) return `${+(bytes / scale).toPrecision(6)}${unit}`;
  }
  return `${bytes}B`;
}
