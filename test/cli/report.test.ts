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

  it('-q says nothing; -v adds the timing line; both at once is a usage error', async () => {
    const dir = testDir('blocktime-report-cli-');
    const out = join(dir, 'r.html');
    expect(await blocktime(['report', 'fixtures/examples/example1.csv', '-o', out, '-q'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const v = await blocktime(['report', 'fixtures/examples/example1.csv', '-o', out, '--verbose']);
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(/^wrote \S+r\.html \(\d+(\.\d)? KiB\)\nreport: [\d,.]+ (ms|s) \(CPU [\d,.]+ (ms|s), peak memory [\d.]+ MiB\)\n$/);
    const both = await blocktime(['report', 'fixtures/examples/example1.csv', '-o', out, '-q', '-v']);
    expect(both).toMatchObject({ code: 2, stderr: 'blocktime: give -q (--quiet) or -v (--verbose), not both\n' });
  });

  it('--cpu and --sort choose the rows of the per-vCPU table', async () => {
    const dir = testDir('blocktime-report-cli-');
    const out = join(dir, 'some.html');
    const r = await blocktime(['report', 'fixtures/examples/example1.csv', '-o', out, '--cpu', '0,2', '--sort', 'latency', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const html = await readFile(out, 'utf8');
    const rows = [.../<summary>Per vCPU \(2 of 3\)<\/summary><table>.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1]!.matchAll(/<tr><td>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(rows).toEqual(['2', '0', 'sum']);
    const bad = await blocktime(['report', 'fixtures/examples/example1.csv', '-o', out, '--cpu', '7']);
    expect(bad).toMatchObject({ code: 2, stderr: 'blocktime: --cpu: vCPU 7 is not in this trace; expected vCPUs from 0 to 2\n' });
  });
});
