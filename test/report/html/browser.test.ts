/**
 * Opens a report in Debian's headless chromium (driven by playwright-core,
 * which downloads no browser): the page draws every chart with marks, logs
 * no error, fetches nothing, and a screenshot is written for people to look
 * at. Skipped, saying why, where /usr/bin/chromium is absent; CI installs it.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { MARKS, chromiumSkipReason, hasChromium, openInChromium } from './chromium.js';
import { buildHtmlReport } from '../../../src/report/html/build.js';
import { writeOutputFile } from '../../../src/output-file.js';
import { testDir } from '../../tmp.js';
import { simTrace } from './sim-trace.js';

if (!hasChromium) console.log(`browser test skipped: ${chromiumSkipReason}`);

/** The charts of the page, by element id. */
const CHARTS = ['chart-timeline', 'chart-histogram', 'chart-cdf', 'chart-comparison'];

describe.skipIf(!hasChromium)('HTML report in a browser', () => {
  it('draws every chart as SVG with marks, with no console error and no request', { timeout: 60_000 }, async () => {
    const trace = await simTrace('browser', { vcpus: 4, faults: 2000, reentrant: 0.3, lateResolve: 0.2 });
    const dir = testDir('blocktime-report-browser-');
    const page = join(dir, 'report.html');
    await writeOutputFile(page, (await buildHtmlReport(trace)).html);

    const { browser, tab, errors, requests } = await openInChromium(page);
    try {
      // A string runs in the page (this file is typed for Node, without the DOM).
      await tab.waitForFunction(`document.querySelectorAll('.chart[data-rendered]').length === ${CHARTS.length}`, undefined, { timeout: 30_000 });
      for (const id of CHARTS) {
        expect(await tab.locator(`#${id} svg`).count(), id).toBe(1);
        expect(await tab.locator(`#${id} svg`).locator(MARKS).count(), id).toBeGreaterThan(0);
      }
      // Zoom the timeline: the wheel rescales x, and the chart still draws.
      await tab.locator('#chart-timeline svg').hover();
      await tab.mouse.wheel(0, -400);
      expect(await tab.locator('#chart-timeline svg').locator(MARKS).count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const shot = join(dir, 'report.png');
      await tab.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
      console.log(`report screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });
});
