/**
 * Debian's headless chromium for the report tests: where it is (skipped,
 * saying why, where it is not), what counts as a drawn mark, and a page
 * opened with its console errors and outside requests collected.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = process.env.BLOCKTIME_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const chromiumSkipReason = `no chromium at ${CHROMIUM} (apt-get install chromium, or set BLOCKTIME_CHROMIUM)`;

/** Where each chart's drawn marks are: Vega's SVG renderer puts a mark's items under `g.mark-<type>`. */
export const MARKS = '.mark-rect path, .mark-line path, .mark-symbol path';

export interface OpenedPage {
  browser: Browser;
  tab: Page;
  /** Console errors and uncaught exceptions, as they come. */
  errors: string[];
  /** Every request that is not for a local file (a self-contained page makes none). */
  requests: string[];
}

/** Opens `file` in a new headless chromium; the caller closes `browser`. */
export async function openInChromium(file: string): Promise<OpenedPage> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  tab.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await tab.goto(`file://${file}`);
  return { browser, tab, errors, requests };
}
