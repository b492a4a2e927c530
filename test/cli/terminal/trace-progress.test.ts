import { describe, it, expect } from 'vitest';
import { createTraceProgress } from '../../../src/cli/terminal/trace-progress.js';

function tty() {
  const out: string[] = [];
  let t = 0;
  const clock = { tick: (ms: number) => (t += ms) };
  const stream = { isTTY: true, columns: 200, write: (s: string) => out.push(s) > 0 };
  return { out, clock, options: { stream, now: () => t, delayMs: 0, intervalMs: 0 } };
}

describe('createTraceProgress', () => {
  it("'bytes and rows' draws as rows advance, with the bytes read so far alongside", () => {
    const { out, clock, options } = tty();
    const p = createTraceProgress('analyze', 'bytes and rows', options);
    clock.tick(1000);
    p.onProgress(512 * 1024, 1024 * 1024);
    expect(out).toEqual([]);
    p.onRows(1000);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('50%');
    expect(out[0]).toContain('1,000 rows');
  });

  it("'bytes' draws as bytes are read", () => {
    const { out, clock, options } = tty();
    const p = createTraceProgress('convert', 'bytes', options);
    clock.tick(1000);
    p.onProgress(256, 1024);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('25%');
  });

  it("'rows' draws the row count", () => {
    const { out, clock, options } = tty();
    const p = createTraceProgress('report', 'rows', options);
    clock.tick(1000);
    p.onRows(2000);
    expect(out[0]).toContain('2,000 rows');
  });

  it('erases the line before a warning, which gets a line of its own', () => {
    const { out, clock, options } = tty();
    const p = createTraceProgress('analyze', 'bytes and rows', options);
    clock.tick(1000);
    p.onRows(10);
    p.onWarning('the stream is cut off');
    expect(out.slice(1)).toEqual(['\r\x1b[2K', 'blocktime: warning: the stream is cut off\n']);
  });

  it('draws nothing when the stream is not a terminal, but still prints warnings', () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) > 0 };
    const p = createTraceProgress('analyze', 'bytes and rows', { stream });
    p.onProgress(1, 2);
    p.onRows(1);
    p.onWarning('w');
    p.done();
    expect(out).toEqual(['blocktime: warning: w\n']);
  });
});
