import type { ChalkInstance } from 'chalk';
import { formatCount, formatPercent } from './units.js';
import { visibleLength } from './style.js';

/**
 * The log2 latency histogram of docs/blocktime.md (Variant 1): bucket k holds [2^k us,
 * 2^(k+1) us); bucket 0 also holds everything under 1 us and the last bucket
 * everything longer. Labels name the bounds in binary units, as QEMU's
 * buckets are powers of two of microseconds: "1 ms" is 1024 us.
 */
export function bucketBound(k: number): string {
  if (k < 10) return `${2 ** k} us`;
  if (k < 20) return `${2 ** (k - 10)} ms`;
  return `${2 ** (k - 20)} s`;
}

export function bucketLabel(k: number, buckets: number): string {
  const lo = k === 0 ? '0' : bucketBound(k);
  return k === buckets - 1 ? `[${lo}, ∞)` : `[${lo}, ${bucketBound(k + 1)})`;
}

/**
 * One line per bucket from the first to the last non-empty one, a bar scaled
 * to the fullest bucket (eighth-block resolution), the count and its share.
 * Empty when no fault was resolved.
 */
export function renderHistogram(buckets: readonly number[], c: ChalkInstance, barWidth = 40, indent = '  '): string[] {
  const first = buckets.findIndex((n) => n > 0);
  if (first < 0) return [];
  let last = buckets.length - 1;
  while (buckets[last] === 0) last--;
  const total = buckets.reduce((a, b) => a + b, 0);
  const max = Math.max(...buckets);
  const labels: string[] = [];
  for (let k = first; k <= last; k++) labels.push(bucketLabel(k, buckets.length));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const counts = buckets.slice(first, last + 1).map(formatCount);
  const countWidth = Math.max(...counts.map((s) => s.length));
  const lines: string[] = [];
  for (let k = first; k <= last; k++) {
    const n = buckets[k]!;
    const bar = drawBar(n, max, barWidth);
    const padBar = bar + ' '.repeat(barWidth - visibleLength(bar));
    lines.push(
      `${indent}${labels[k - first]!.padEnd(labelWidth)} ${c.cyan(padBar)} ${counts[k - first]!.padStart(countWidth)}  ${c.dim(
        formatPercent(n, total).padStart(6),
      )}`,
    );
  }
  return lines;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

function drawBar(n: number, max: number, width: number): string {
  if (n === 0) return '';
  // At least a sliver for any non-empty bucket: a lone fault must stay visible.
  const eighths = Math.max(1, Math.round((n / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}
