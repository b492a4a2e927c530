import { describe, it, expect } from 'vitest';
import { createProgress } from '../../../src/cli/terminal/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 200, writes, write: (s: string) => (writes.push(s), true) };
}

describe('createProgress', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const s = fakeStream(false);
    const p = createProgress('analyze', { unit: 'rows', stream: s });
    p.update(10, 100);
    p.done();
    expect(s.writes).toEqual([]);
  });

  it('draws one line in place, throttled, and erases it at the end', () => {
    const s = fakeStream(true);
    let now = 0;
    const p = createProgress('analyze', { unit: 'bytes', stream: s, intervalMs: 100, now: () => now });
    now = 1000;
    p.update(512 * 1024, 1024 * 1024, 2_000_000);
    now = 1050; // within the throttle window: skipped
    p.update(600 * 1024, 1024 * 1024, 2_500_000);
    now = 2000;
    p.update(1024 * 1024 - 1, 1024 * 1024, 4_000_000);
    p.done();
    p.done();
    expect(s.writes).toHaveLength(3);
    expect(s.writes[0]).toBe('\r\x1b[2Kanalyze   50%  512.0 KiB / 1.0 MiB  2,000,000 rows  2.0M rows/s  ETA 1s');
    expect(s.writes[1]).toMatch(/^\r\x1b\[2Kanalyze  100%/);
    expect(s.writes[2]).toBe('\r\x1b[2K');
  });

  it('stays silent during the first moments, so short runs do not flicker', () => {
    const s = fakeStream(true);
    let now = 0;
    const p = createProgress('analyze', { unit: 'rows', stream: s, delayMs: 300, now: () => now });
    now = 200;
    p.update(5);
    p.done();
    expect(s.writes).toEqual([]);
  });

  it('never writes past the terminal width', () => {
    const s = { ...fakeStream(true), columns: 20 };
    let now = 0;
    const p = createProgress('a-long-label-for-a-narrow-terminal', { unit: 'rows', stream: s, now: () => now });
    now = 1000;
    p.update(5);
    expect(s.writes[0]!.replace('\r\x1b[2K', '').length).toBeLessThan(20);
  });
});
