/**
 * The status line (progress.ts) of a command that reads a trace, fed
 * straight by the core's callbacks. A warning erases the line before it is
 * printed, so the two never share a line; bytes read (from the reader) and
 * rows replayed (from the replay) arrive through separate callbacks and are
 * drawn together.
 */
import { createProgress } from './progress.js';
import type { ProgressOptions } from './progress.js';

/** What the line shows: bytes read, rows done, or bytes read alongside rows replayed (drawn as rows advance). */
export type TraceProgressShows = 'bytes' | 'rows' | 'bytes and rows';

export interface TraceProgress {
  onWarning(message: string): void;
  onProgress(bytesRead: number, bytesTotal: number): void;
  onRows(rows: number): void;
  /** Erases the line; idempotent. */
  done(): void;
}

/** `options` are the line's own (progress.ts): a stream other than stderr, a clock, for tests. */
export function createTraceProgress(label: string, shows: TraceProgressShows, options: Omit<ProgressOptions, 'unit' | 'total'> = {}): TraceProgress {
  const stream = options.stream ?? process.stderr;
  const line = createProgress(label, { ...options, stream, unit: shows === 'rows' ? 'rows' : 'bytes' });
  let bytesRead = 0;
  let bytesTotal: number | undefined;
  return {
    onWarning(message) {
      line.done();
      stream.write(`blocktime: warning: ${message}\n`);
    },
    onProgress(read, total) {
      bytesRead = read;
      bytesTotal = total;
      if (shows === 'bytes') line.update(read, total);
    },
    onRows(rows) {
      if (shows === 'rows') line.update(rows);
      else line.update(bytesRead, bytesTotal, rows);
    },
    done: () => line.done(),
  };
}
