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

  it('writes the same events streamed from a reader thread (alone) as from the database it builds for --faults', async () => {
    const streamed = join(dir, 'alone.parquet');
    const loaded = join(dir, 'with-faults.parquet');
    expect((await blocktime(['export', 'fixtures/sample.arrow', streamed])).code).toBe(0);
    expect((await blocktime(['export', 'fixtures/sample.arrow', loaded, '--faults'])).code).toBe(0);
    const compare = await blocktime(['query', 'fixtures/sample.arrow', `SELECT
        (SELECT count(*) FROM (SELECT *, row_number() OVER () AS r FROM read_parquet('${streamed}') EXCEPT ALL SELECT *, row_number() OVER () AS r FROM read_parquet('${loaded}'))) AS differ,
        (SELECT count(*) FROM read_parquet('${streamed}')) AS n,
        (SELECT list(decode(key) || '=' || decode(value) ORDER BY key) FROM parquet_kv_metadata('${streamed}'))
          = (SELECT list(decode(key) || '=' || decode(value) ORDER BY key) FROM parquet_kv_metadata('${loaded}')) AS same_metadata`]);
    expect(compare.stdout).toBe('differ,n,same_metadata\n0,8391,true\n');
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
