/**
 * Percentiles the addon reads off its call and hold histograms. The last
 * bucket holds everything beyond the histogram's end, so a percentile that
 * lands there is a lower bound, and is shown as one.
 */
import { formatDuration } from '../../report/units.js';

/** Where the call and hold histograms end (BT_HIST_BUCKETS * BT_HIST_NS in bt.h). */
export const HIST_CAP_NS = 8192;

export function formatHistPercentile(ns: number): string {
  return ns >= HIST_CAP_NS ? `>= ${formatDuration(HIST_CAP_NS)}` : formatDuration(ns);
}
