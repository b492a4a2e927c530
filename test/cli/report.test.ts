import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { testDir } from '../tmp.js';
import { blocktime } from './run.js';

describe('blocktime report', () => {
  it('writes one HTML page and says where, on stderr', async () => {
    const dir = testDir('blocktime-report-cli-');
    const out = join(dir, 'example1.html');
    const r = await blocktime(['report', 'fixtures/examples/example1.csv', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wrote .*example1\.html \(\d+(\.\d)? KiB\)\n$/);
    const html = await readFile(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(await readdir(dir)).toEqual(['example1.html']);
  });

  it('bad input: one line, exit 2, no page left behind', async () => {
    const dir = testDir('blocktime-report-cli-');
    const out = join(dir, 'bad.html');
    const r = await blocktime(['report', 'fixtures/bad/vcpu-after-fault.csv', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('vcpu-after-fault.csv');
    expect(existsSync(out)).toBe(false);
    const opt = await blocktime(['report', 'fixtures/examples/example1.csv', '--timeline-bars', '0', '-o', out]);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('--timeline-bars');
  });
});
