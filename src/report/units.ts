/**
 * Numbers as people read them, computed exactly. Durations arrive as integer
 * nanoseconds in doubles (exact below 2^53); dividing them as doubles could
 * round twice, so the decimal digits come from BigInt arithmetic. None of this
 * runs per event.
 */

const NS_PER_MS = 1_000_000n;

/** `ns` as milliseconds with `decimals` digits (default 3), rounded half away from zero: 1234567 -> "1.235". */
export function formatMs(ns: number, decimals = 3): string {
  return scaled(ns, NS_PER_MS, decimals);
}

/** A duration with the unit that keeps it short and exact to 3 significant decimals: "812 ns", "3.402 us", "1.500 ms", "2.031 s". */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1_000) return `${Math.round(ns)} ns`;
  if (a < 1_000_000) return `${scaled(ns, 1_000n, 3)} us`;
  if (a < 1_000_000_000) return `${scaled(ns, NS_PER_MS, 3)} ms`;
  return `${scaled(ns, 1_000_000_000n, 3)} s`;
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

/** `+1.234` / `-1.234` / `0.000`: a signed difference in milliseconds. */
export function formatMsDelta(ns: number): string {
  const s = formatMs(ns);
  return ns > 0 ? `+${s}` : s;
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
function scaled(value: number, unit: bigint, decimals: number): string {
  return scaledBig(BigInt(Math.round(value)), unit, decimals);
}

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
