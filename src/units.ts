/**
 * Quantities as people type and read them, in one place so that a value
 * means the same thing everywhere:
 *
 * - strict parsers for what users type on the command line (only src/cli
 *   calls them): durations (`200us`), sizes (`4G`), rates (`100MB/s`),
 *   counts (`50M`) and fractions (`0.3`, `30%`); a malformed one is a
 *   `UsageError` (exit 2) naming the option and the expected form, never a
 *   silent NaN;
 * - compact forms those parsers read back (`formatDurationCompact`: "200us",
 *   `formatSizeCompact`: "4G"), for defaults in --help and summaries;
 * - readable forms for reports, one rule for every command (`formatDuration`:
 *   "812 us", "3.2 ms", "60.172 s"; `formatCount`: "20,000,000";
 *   `formatBytes`, ...; docs/trace-format.md#what-the-reports-print),
 *   computed exactly: durations arrive as
 *   integer nanoseconds in doubles (exact below 2^53); dividing them as
 *   doubles could round twice, so the decimal digits come from BigInt
 *   arithmetic. None of this runs per event.
 */
import { UsageError } from './errors.js';

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
export function formatDurationCompact(ns: number): string {
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

/** Formats bytes with the largest binary suffix that keeps it short, as parseSize reads it back: `4G`, `512M`, `1.5K`. */
export function formatSizeCompact(bytes: number): string {
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

/** Units a readable duration may take, smallest first: each is used from 1 of it up to 1000 of it (seconds without bound). */
const READABLE_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['ns', 1n],
  ['us', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
];

/**
 * A duration as people read it, the one rule of every human report: the
 * unit that fits (ns below 1 us, us below 1 ms, ms below 1 s, else s), at
 * most 3 decimals, trailing zeros dropped, thousands separators:
 * "812 ns", "812 us", "3.2 ms", "60.172 s", "3,164.103 s". A value that
 * rounds up to 1000 of a unit takes the next one ("1 s", not "1000 ms").
 */
export function formatDuration(ns: number): string {
  const v = BigInt(Math.round(ns));
  const a = v < 0n ? -v : v;
  for (let k = 0; k < READABLE_UNITS.length; k++) {
    const [unit, scale] = READABLE_UNITS[k]!;
    const last = k === READABLE_UNITS.length - 1;
    // Rounded to the unit's thousandth, half away from zero.
    const q = (a * 1000n * 2n + scale) / (scale * 2n);
    if (!last && q >= 1_000_000n) continue;
    const int = q / 1000n;
    const frac = (q % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
    const body = `${formatCount(Number(int))}${frac ? `.${frac}` : ''}`;
    return `${v < 0n && q !== 0n ? '-' : ''}${body} ${unit}`;
  }
  throw new Error('unreachable: seconds take any value');
}

/** A signed difference of durations: "+3.2 ms", "-812 us", "0 ns". */
export function formatDurationDelta(ns: number): string {
  const s = formatDuration(ns);
  return ns > 0 && s !== '0 ns' ? `+${s}` : s;
}

/** An integer count with thousands separators: 20000000 -> "20,000,000". */
export function formatCount(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

/** `part / whole` as a percentage with one decimal; "-" when `whole` is 0 (no reference to compare against). */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return part === 0 ? '0.0%' : '-';
  const sign = whole < 0 ? -1 : 1;
  return `${scaledBig(BigInt(Math.round(part * sign)) * 100n, BigInt(Math.round(Math.abs(whole))), 1)}%`;
}

/** A rate: (15_234_567.8, 'rows') -> "15.2M rows/s". */
export function formatRate(perSecond: number, what = ''): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '-';
  const unit = what ? ` ${what}/s` : '/s';
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(1)}G${unit}`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M${unit}`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k${unit}`;
  return `${perSecond.toFixed(0)}${unit}`;
}

/** A byte count: 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Seconds as "42s", "3m05s", "1h02m". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `value / unit` with `decimals` digits, rounded half away from zero, in exact integer arithmetic. */
function scaledBig(value: bigint, unit: bigint, decimals: number): string {
  const neg = value < 0n;
  const v = neg ? -value : value;
  const pow = 10n ** BigInt(decimals);
  // round(v * 10^d / unit), half away from zero
  const q = (v * pow * 2n + unit) / (unit * 2n);
  const int = q / pow;
  const frac = q % pow;
  const body = decimals === 0 ? `${int}` : `${int}.${frac.toString().padStart(decimals, '0')}`;
  return neg && q !== 0n ? `-${body}` : body;
}
