import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blocktime, runCommand } from './run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-export-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blocktime export', () => {
  it('writes the events, and with --faults the faults beside them, each named on stderr (-q: nothing)', async () => {
    const out = join(dir, 'ex4.parquet');
    const r = await blocktime(['export', 'fixtures/examples/example4.csv', out, '--faults']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/^wrote \S+ex4\.parquet \(\d+(\.\d)? (B|KiB)\)\nwrote \S+ex4\.faults\.parquet \(\d+(\.\d)? (B|KiB)\)\n$/);
    expect(await blocktime(['export', 'fixtures/examples/example4.csv', out, '--faults', '-q'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
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

  it('then every command reads the Parquet as the trace it came from', async () => {
    const out = join(dir, 'sample.parquet');
    expect((await blocktime(['export', 'fixtures/sample.arrow', out])).code).toBe(0);
    for (const variant of ['mutex', 'atomic', 'exact']) {
      const [arrow, parquet] = await Promise.all(['fixtures/sample.arrow', out].map((t) => blocktime(['analyze', t, '--json', '--variant', variant])));
      expect(parquet).toMatchObject({ code: 0, stderr: '' });
      expect(parquet.stdout, variant).toBe(arrow.stdout);
    }
    const compared = await Promise.all(['fixtures/sample.arrow', out].map((t) => blocktime(['compare', t, '--json'])));
    expect(compared[1]).toMatchObject({ code: 0, stdout: compared[0]!.stdout });
    const sql = 'SELECT cpu, count(*) AS n, sum(latency_ns) AS ns FROM faults GROUP BY cpu ORDER BY cpu';
    const queried = await Promise.all(['fixtures/sample.arrow', out].map((t) => blocktime(['query', t, sql])));
    expect(queried[1]).toMatchObject({ code: 0, stdout: queried[0]!.stdout });
    const csv = join(dir, 'sample.csv');
    expect((await blocktime(['convert', out, csv])).code).toBe(0);
    expect((await blocktime(['analyze', csv, '--json'])).stdout).toBe((await blocktime(['analyze', 'fixtures/sample.arrow', '--json'])).stdout);
    const html = join(dir, 'sample.html');
    expect((await blocktime(['report', out, '-o', html])).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<html');
  });

  it('a Parquet trace through a pipe is refused with what to do, exit 2', async () => {
    const out = join(dir, 'piped.parquet');
    expect((await blocktime(['export', 'fixtures/examples/example4.csv', out])).code).toBe(0);
    const piped = await runCommand('sh', ['-c', `cat '${out}' | node bin/blocktime analyze - --input-format parquet`]);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toBe('blocktime: stdin: Parquet is read by offsets from its footer, not front to back; give it as a file, not a pipe\n');
  });
});

describe('blocktime export --dataset', () => {
  it('writes a partition per trace, names a failing one on its own line and exits 2 after exporting the rest', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'blocktime-dataset-cli-'));
    try {
      const bad = join(scratch, 'bad.csv');
      writeFileSync(bad, 't_ns,kind,tid,addr,cpu\n0,fault,1\n');
      const out = join(scratch, 'ds');
      const r = await blocktime(['export', '--dataset', out, 'fixtures/examples/example1.csv', bad, 'fixtures/examples/example2.csv']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^blocktime: ${bad}: line 2: [^\\n]*\\n$`));
      expect(readdirSync(join(out, 'faults'))).toHaveLength(2);
      const q = await blocktime(['query', 'fixtures/examples/example1.csv', `SELECT count(*) AS n FROM read_parquet('${out}/events/*/*.parquet', hive_partitioning = true)`]);
      expect(q.stdout).toBe('n\n19\n');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('still wants an output file without --dataset', async () => {
    const r = await blocktime(['export', 'fixtures/examples/example1.csv']);
    expect(r).toMatchObject({ code: 2, stderr: "blocktime: missing required argument 'out.parquet' (or --dataset DIR for several traces)\n" });
  });
});
