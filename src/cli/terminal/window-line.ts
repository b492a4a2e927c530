/** The line under a command's header that says which window its figures cover (`--since`, `--until`). */
import type { WindowReport } from '../../replay/window.js';
import { formatCount, formatDuration } from '../../units.js';

/** `window 2.5 s to 5 s after the first row (@A to @B, 812 rows)`, and the window's note. */
export function windowLine(w: WindowReport): string {
  const at = (offset: number | null, abs: string): string => (offset === null ? `@${abs}` : formatDuration(offset));
  const since = at(w.since_offset_ns, w.since_ns);
  const span = w.until_ns === null ? `${since} to the end` : `${since} to ${at(w.until_offset_ns, w.until_ns)}`;
  return `window ${span} after the first row (@${w.since_ns} to ${w.until_ns === null ? 'the end' : `@${w.until_ns}`}, ${formatCount(w.rows)} rows)${w.note ? `: ${w.note}` : ''}`;
}
