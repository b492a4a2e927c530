import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWindowInstant, windowOf } from '../../../src/cli/options/window-options.js';
import { UsageError } from '../../../src/errors.js';
import type { AnalysisResult } from '../../../src/replay/result.js';
import type { CompareResult } from '../../../src/compare/result.js';
import { blocktime } from '../run.js';
import { testDir } from '../../tmp.js';

describe('--since/--until values', () => {
  it('reads durations after the first row and absolute int64 times exactly', () => {
    expect(parseWindowInstant('--since', '2.5s')).toEqual({ afterFirstNs: 2_500_000_000 });
    expect(parseWindowInstant('--since', '300ms')).toEqual({ afterFirstNs: 300_000_000 });
    expect(parseWindowInstant('--since', '1500us')).toEqual({ afterFirstNs: 1_500_000 });
    expect(parseWindowInstant('--since', '800ns')).toEqual({ afterFirstNs: 800 });
    expect(parseWindowInstant('--until', '@1795664136591056123')).toEqual({ atNs: 1795664136591056123n });
  });

  it('refuses anything else, naming the option', () => {
    for (const bad of ['2', '2x', '@', '@12a', '@1.5', '@99999999999999999999', '-1s', '']) {
      expect(() => parseWindowInstant('--since', bad)).toThrow(UsageError);
    }
    expect(() => parseWindowInstant('--until', 'soon')).toThrow(/--until: invalid value 'soon'/);
    expect(() => windowOf({ since: { afterFirstNs: 5 }, until: { afterFirstNs: 4 } })).toThrow(UsageError);
    expect(windowOf({})).toBeUndefined();
  });
});

/** Example 1 of docs/blocktime.md: times in ms from 0. */
const EXAMPLE = 'fixtures/examples/example1.csv';

describe('--since/--until on the command line', () => {
  it('analyze --json: the window is in the JSON, and its figures are the window\'s', async () => {
    const r = await blocktime(['analyze', EXAMPLE, '--variant', 'exact', '--since', '25ms', '--until', '55ms', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as AnalysisResult;
    expect(result.vcpu_blocktime_ns).toEqual([10e6, 30e6, 15e6]);
    expect(result.total_blocktime_ns).toBe(5e6);
    expect(result.window).toEqual({ since_ns: '25000000', until_ns: '55000000', since_offset_ns: 25e6, until_offset_ns: 55e6, rows: 3 });
  });

  it('analyze: the header says which window the figures cover; absolute instants work the same', async () => {
    const r = await blocktime(['analyze', EXAMPLE, '--since', '@25000000', '--until', '@55000000']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('window 25 ms to 55 ms after the first row (@25000000 to @55000000, 3 rows)');
  });

  it('analyze: a window after the trace is all zeros, with a note', async () => {
    const r = await blocktime(['analyze', EXAMPLE, '--since', '1h', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as AnalysisResult;
    expect(result.total_blocktime_ns).toBe(0);
    expect(result.vcpu_faults).toEqual([0, 0, 0]);
    expect(result.window!.note).toMatch(/no row of the trace/);
  });

  it('compare: each design over the window, and the window in the JSON and the header', async () => {
    const json = await blocktime(['compare', EXAMPLE, '--until', '55ms', '--json']);
    expect(json.code).toBe(0);
    const c = JSON.parse(json.stdout) as CompareResult;
    expect(c.window).toMatchObject({ since_ns: '0', until_ns: '55000000', rows: 8 });
    expect(c.results.mutex.window).toEqual(c.window);
    // Until 55 ms, exact has cpu 0 [10,30) and [50,55), cpu 1 [20,55), cpu 2 [40,55).
    expect(c.vcpu.map((v) => v.exact_ns)).toEqual([25e6, 35e6, 15e6]);
    const human = await blocktime(['compare', EXAMPLE, '--until', '55ms']);
    expect(human.stdout.split('\n')[1]).toMatch(/^window 0 ns to 55 ms after the first row/);
  });

  it('query: the relations are the window\'s, main.* the whole trace\'s', async () => {
    const r = await blocktime([
      'query', EXAMPLE, '--since', '25ms', '--until', '55ms', '--format', 'csv',
      "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM main.events) AS all_events, (SELECT sum(end_ns - start_ns) FROM blocked_intervals) AS blocked, (SELECT sum(end_ns - start_ns) FROM all_down_intervals) AS all_down, (SELECT sum(blocktime_ns) FROM results WHERE variant = 'exact' AND cpu >= 0) AS exact_blocked",
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('events,all_events,blocked,all_down,exact_blocked\n3,11,55000000,5000000,55000000\n');
  });

  it('report: the header names the window', async () => {
    const dir = testDir();
    const out = join(dir, 'r.html');
    const r = await blocktime(['report', EXAMPLE, '--since', '25ms', '-o', out]);
    expect(r.code).toBe(0);
    const header = /<p class="sub">(window [^<]*)/.exec(readFileSync(out, 'utf8'));
    expect(header?.[1]).toBe('window 25 ms to the end after the first row (@25000000 to the end, 6 rows); the timeline is clipped to it');
  });

  it('bad values and empty windows are one-line errors, exit 2, in every command', async () => {
    for (const cmd of ['analyze', 'compare', 'report', 'query']) {
      const extra = cmd === 'query' ? ['SELECT 1'] : [];
      const r = await blocktime([cmd, EXAMPLE, '--since', '2x', ...extra]);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toBe("blocktime: --since: invalid value '2x': expected a duration like 200us, 2ms or 1.5s\n");
    }
    const backwards = await blocktime(['analyze', EXAMPLE, '--since', '@50', '--until', '@40']);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toBe('blocktime: --since @50 is after --until @40: expected a window that does not end before it starts\n');
    const mixed = await blocktime(['analyze', EXAMPLE, '--since', '50ms', '--until', '@40']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trimEnd().split('\n')).toHaveLength(1);
    const expect_ = await blocktime(['analyze', EXAMPLE, '--since', '1ms', '--expect', 'x.json']);
    expect(expect_.code).toBe(2);
  });
});
