/**
 * The report's two ways to its charts (build.ts) are two implementations of
 * one definition: from a file, the `exact` replay draws them as it closes
 * each wait (chart-observer.ts); from an open source, read once into DuckDB,
 * the SQL relations `blocked_intervals`, `all_down_intervals` and `faults`
 * do. On fixtures, simulated traces of every scenario, windows, small bar
 * budgets (bins that double as the span grows) and generated traces whose
 * times go backwards (where the file's way hands over to SQL too), both must
 * give the same report data, bar for bar.
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildHtmlReport, type HtmlReportOptions } from '../../../src/report/html/build.js';
import { walkForCharts } from '../../../src/report/html/chart-walk.js';
import { openTrace } from '../../../src/formats/open.js';
import { createTraceWriter } from '../../../src/formats/write.js';
import { SCENARIO_NAMES } from '../../../src/capture/sim/scenarios.js';
import type { ReportData } from '../../../src/report/html/report-data.js';
import { toBatch, traceArb } from '../../replay/trace-arbitrary.js';
import { blocktime } from '../../cli/run.js';
import { suiteDir, testDir } from '../../tmp.js';

async function bothWays(file: string, opts: HtmlReportOptions = {}): Promise<{ replay: ReportData; sql: ReportData }> {
  const replay = (await buildHtmlReport(file, opts)).data;
  const source = await openTrace(file);
  try {
    return { replay, sql: (await buildHtmlReport(source, opts)).data };
  } finally {
    await source.close();
  }
}

/** Whether the replay drew the charts itself (times in order), rather than leaving them to SQL. */
async function drawnByReplay(file: string): Promise<boolean> {
  const source = await openTrace(file);
  try {
    return typeof (await walkForCharts(source, { variants: ['exact'], facts: false, budget: 100 })).charts === 'object';
  } finally {
    await source.close();
  }
}

const FIXTURES = [
  'fixtures/sample.arrow',
  ...[1, 2, 3, 4, 5].map((k) => `fixtures/examples/example${k}.csv`),
  'fixtures/qemu/example1-7.2.log',
  'fixtures/qemu/race-7.2.log',
  'fixtures/qemu/example3-11.1.log',
  'fixtures/qemu-real/postcopy-2vcpu-7.2.dst.log.gz',
];

describe('report charts: from the replay = from SQL', () => {
  const work = suiteDir('blocktime-report-build-');

  it('on every fixture, with the default budget and with budgets that bin', async () => {
    for (const file of FIXTURES) {
      for (const timelineBars of [undefined, 40, 3]) {
        const { replay, sql } = await bothWays(file, timelineBars === undefined ? {} : { timelineBars });
        expect(replay, `${file}, budget ${timelineBars}`).toEqual(sql);
      }
    }
    expect(await drawnByReplay('fixtures/examples/example1.csv')).toBe(true);
  });

  it('on simulated traces of every scenario, whole and windowed', async () => {
    for (const scenario of SCENARIO_NAMES) {
      const file = join(work, `${scenario}.arrow`);
      const r = await blocktime(['capture', '--sim', '--scenario', scenario, '--faults', '20k', '--vcpus', '5', '-o', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(await drawnByReplay(file), scenario).toBe(true);
      const windows: HtmlReportOptions[] = [{}, { timelineBars: 300 }, { window: { since: { afterFirstNs: 2e8 }, until: { afterFirstNs: 9e8 } }, timelineBars: 500 }];
      for (const opts of windows) {
        const { replay, sql } = await bothWays(file, opts);
        expect(replay.timeline.interval_count, scenario).toBeGreaterThan(0);
        expect(replay, `${scenario} ${JSON.stringify(opts)}`).toEqual(sql);
      }
    }
  });

  it('on generated traces, in order or with times going backwards, with budgets of a few bars', async () => {
    const dir = testDir();
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        traceArb(),
        fc.array(fc.integer({ min: -4_000_000, max: 4_000_000 }), { maxLength: 80 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 12 }),
        async (g, jitter, backwards, timelineBars) => {
          const rows = backwards ? g.rows.map((r, i) => (r.kind === 0 ? r : { ...r, t: r.t + BigInt(jitter[i % Math.max(1, jitter.length)] ?? 0) })) : g.rows;
          const file = join(dir, `g${k++}.arrow`);
          const writer = await createTraceWriter(file, { pageSize: 4096, vcpus: g.vcpus });
          await writer.write(toBatch(rows));
          await writer.close();
          const { replay, sql } = await bothWays(file, { timelineBars });
          expect(replay).toEqual(sql);
        },
      ),
      { numRuns: 40 },
    );
  });
});

// From the build, `exact` and `mutex` replay in a worker while this thread replays `atomic` (chart-worker.ts).
describe.skipIf(!existsSync('dist/report/html/build.js'))('report charts from the worker = from this thread', () => {
  const dist = '../../../dist/report/html/';
  it('on a simulated trace, whole and windowed', async () => {
    const built = (await import(`${dist}build.js`)) as typeof import('../../../src/report/html/build.js');
    const worker = (await import(`${dist}chart-worker.js`)) as typeof import('../../../src/report/html/chart-worker.js');
    // Else the dist build would replay on this thread too, and the comparison would prove nothing about the worker.
    expect(worker.chartWorkerAvailable()).toBe(true);
    const file = join(testDir(), 'sim.arrow');
    const r = await blocktime(['capture', '--sim', '--faults', '20k', '--vcpus', '4', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    for (const opts of [{}, { window: { since: { afterFirstNs: 1e8 } }, timelineBars: 100 }] as HtmlReportOptions[]) {
      const inWorker = (await built.buildHtmlReport(file, opts)).data;
      const here = (await buildHtmlReport(file, opts)).data;
      expect({ ...inWorker, generator: '' }).toEqual({ ...here, generator: '' });
    }
  });
});
