/** The latency histogram of `analyze` as terminal lines, labelled as the HTML report labels it (report/histogram.ts). */
import type { ChalkInstance } from 'chalk';
import { bucketLabel } from '../../report/histogram.js';
import { visibleLength } from './style.js';
import { formatCount, formatPercent } from '../../units.js';

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
  const max = buckets.reduce((m, n) => Math.max(m, n), 0);
  const labels: string[] = [];
  for (let k = first; k <= last; k++) labels.push(bucketLabel(k, buckets.length));
  const labelWidth = labels.reduce((w, l) => Math.max(w, l.length), 0);
  const counts = buckets.slice(first, last + 1).map(formatCount);
  const countWidth = counts.reduce((w, s) => Math.max(w, s.length), 0);
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
