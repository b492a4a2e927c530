import { formatBytes, formatCount, formatEta, formatRate } from '../../units.js';

/**
 * One self-overwriting status line on stderr for long runs: how far, how fast,
 * how long still. Only when stderr is a terminal, so pipes, logs and CI stay
 * clean; throttled so that calling `update` once per batch costs nothing; the
 * line is erased by `done()`, before any result or error is printed.
 *
 * Used by `analyze` and `compare` (bytes read and rows replayed), and by any
 * command with a long loop: `createProgress('capture', { unit: 'rows', total })`.
 */
export interface Progress {
  /** `done` so far, out of `total` when known (bytes or rows, per `unit`); `rows` optionally alongside bytes. */
  update(done: number, total?: number, rows?: number): void;
  /** Erases the line. Idempotent. */
  done(): void;
}

export interface ProgressOptions {
  /** What `done`/`total` count. */
  unit: 'rows' | 'bytes';
  total?: number;
  /** Defaults to process.stderr. */
  stream?: ProgressStream;
  /** Minimum time between redraws (default 100 ms). */
  intervalMs?: number;
  /** Nothing is drawn before this much time has passed (default 300 ms): short runs do not flicker. */
  delayMs?: number;
  /** For tests: a clock in milliseconds. */
  now?: () => number;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

const noop: Progress = { update() {}, done() {} };

export function createProgress(label: string, opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return noop;
  return new TerminalProgress(label, stream, opts);
}

class TerminalProgress implements Progress {
  private readonly start: number;
  private last = -Infinity;
  private shown = false;
  private total: number | undefined;

  constructor(
    private readonly label: string,
    private readonly stream: ProgressStream,
    private readonly opts: ProgressOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
    this.total = opts.total;
  }

  private readonly now: () => number;

  update(done: number, total?: number, rows?: number): void {
    if (total !== undefined) this.total = total;
    const t = this.now();
    if (t - this.last < (this.opts.intervalMs ?? 100) || t - this.start < (this.opts.delayMs ?? 300)) return;
    this.last = t;
    const elapsed = (t - this.start) / 1000;
    const parts = [this.label];
    const amount = this.opts.unit === 'bytes' ? formatBytes : formatCount;
    if (this.total !== undefined && this.total > 0) {
      const frac = Math.min(1, done / this.total);
      parts.push(`${(frac * 100).toFixed(0).padStart(3)}%`, `${amount(done)} / ${amount(this.total)}`);
    } else {
      parts.push(amount(done) + (this.opts.unit === 'rows' ? ' rows' : ''));
    }
    if (rows !== undefined) parts.push(`${formatCount(rows)} rows`);
    if (elapsed > 0) {
      const rate = (rows ?? done) / elapsed;
      parts.push(rows !== undefined || this.opts.unit === 'rows' ? formatRate(rate, 'rows') : `${formatBytes(done / elapsed)}/s`);
      if (this.total !== undefined && this.total > done && done > 0) parts.push(`ETA ${formatEta(((this.total - done) * elapsed) / done)}`);
    }
    let text = parts.join('  ');
    const width = this.stream.columns;
    if (width !== undefined && width > 1 && text.length >= width) text = text.slice(0, width - 1);
    // \r and erase-line: overwrite in place without scrolling.
    this.stream.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
