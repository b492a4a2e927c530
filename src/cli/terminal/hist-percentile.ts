/**
 * Percentiles the addon reads off its call and hold histograms. The last
 * bucket holds everything beyond the histogram's end, so a percentile that
 * lands there is a lower bound, and is shown as one.
 */
import { HIST_CAP_NS } from '../../capture/native/addon.js';
import { formatDuration } from '../../units.js';

export function formatHistPercentile(ns: number): string {
  return ns >= HIST_CAP_NS ? `>= ${formatDuration(HIST_CAP_NS)}` : formatDuration(ns);
}
