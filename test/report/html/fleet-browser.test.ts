/**
 * The fleet report (`blocktime report DIR -o fleet.html --per-trace`, the
 * built CLI) in Debian's headless chromium, as browser.test.ts opens the
 * single-trace report: every chart drawn with marks, no console error, no
 * request, the worst migrations linked to their own reports, which open too.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKS, chromiumSkipReason, hasChromium, openInChromium } from './chromium.js';
import { FLEET_CHART_IDS } from '../../../src/report/html/fleet-charts.js';
import { blocktime } from '../../cli/run.js';
import { makeFleet } from '../../fleet/fleet-dir.js';
import { testDir } from '../../tmp.js';

if (!hasChromium) console.log(`fleet browser test skipped: ${chromiumSkipReason}`);


describe.skipIf(!hasChromium)('fleet report in a browser', () => {
  it('draws every chart, lists the worst traces with links to their reports, and shows the failed one', { timeout: 120_000 }, async () => {
    const fleet = await makeFleet(testDir('blocktime-fleet-report-'));
    const out = join(testDir('blocktime-fleet-page-'), 'fleet.html');
    const r = await blocktime(['report', fleet.dir, '-o', out, '--per-trace', '--top', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/d-bad\.csv: line \d+/);
    expect(r.stderr).toContain(`wrote ${out}`);
    expect((await readdir(out.replace(/\.html$/, '-traces'))).sort()).toHaveLength(3);

    const { browser, tab, errors, requests } = await openInChromium(out);
    try {
      await tab.waitForFunction(`document.querySelectorAll('.chart[data-rendered]').length === ${FLEET_CHART_IDS.length}`, undefined, { timeout: 60_000 });
      for (const id of FLEET_CHART_IDS) expect(await tab.locator(`#${id} svg`).locator(MARKS).count(), id).toBeGreaterThan(0);
      const links = tab.locator('#worst-traces tbody a');
      expect(await links.count()).toBe(3);
      expect(await tab.locator('#failed-traces').textContent()).toMatch(/d-bad\.csv: line \d+/);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await tab.screenshot({ path: out.replace(/\.html$/, '.png'), fullPage: true });
      // The first link opens the worst trace's own report, whose charts draw.
      await links.first().click();
      await tab.waitForFunction(`document.querySelectorAll('.chart[data-rendered]').length === 4`, undefined, { timeout: 60_000 });
      expect(await tab.title()).toMatch(/^blocktime report: /);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
