import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blocktime } from './run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-export-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blocktime export', () => {
  it('writes the events, and with --faults the faults beside them, quietly when stderr is not a terminal', async () => {
    const out = join(dir, 'ex4.parquet');
    const r = await blocktime(['export', 'fixtures/examples/example4.csv', out, '--faults']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const back = await blocktime(['query', 'fixtures/examples/example4.csv',
      `SELECT (SELECT count(*) FROM read_parquet('${out}')) AS events, status, count(*) AS n FROM read_parquet('${join(dir, 'ex4.faults.parquet')}') GROUP BY status ORDER BY status`]);
    expect(back.stdout).toBe('events,status,n\n8,already_received,1\n8,counted,2\n');
  });

  it('refuses another extension and a malformed trace with exit 2, leaving no file', async () => {
    const bad = await blocktime(['export', 'fixtures/examples/example4.csv', join(dir, 'x.arrow')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected an output file ending in \.parquet/);
    const malformed = await blocktime(['export', 'fixtures/bad/addr-above-2-64.csv', join(dir, 'bad.parquet')]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^blocktime: fixtures\/bad\/addr-above-2-64\.csv: /);
    expect(existsSync(join(dir, 'bad.parquet'))).toBe(false);
  });
});
