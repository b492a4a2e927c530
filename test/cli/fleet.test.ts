/**
 * `analyze` and `compare` over many traces through the built CLI, where
 * traces replay in worker threads: rows equal the single-trace commands'
 * --json field for field, a failing trace fails only its row (exit 2),
 * --sort and --top order and cut the table, and -o tables read back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteDir, testDir } from '../tmp.js';
import { makeFleet } from '../fleet/fleet-dir.js';
import { blocktime } from './run.js';

const fleet = await makeFleet(suiteDir('blocktime-cli-fleet-'));

function ndjson(text: string): Array<Record<string, unknown>> {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A fleet row without what the fleet adds: what the single-trace --json printed. */
function alone(row: Record<string, unknown>): Record<string, unknown> {
  const { trace: _t, trace_meta: _m, fault_p99_ns: _p, ...rest } = row;
  return rest;
}

describe('blocktime analyze DIR --json', () => {
  it('prints one NDJSON row per trace in the walk order, each the single-trace --json plus trace, trace_meta and fault_p99_ns; exit 2 for the failing one', { timeout: 120_000 }, async () => {
    const r = await blocktime(['analyze', fleet.dir, '--json', '--jobs', '2', '--variant', 'atomic']);
    expect(r.code).toBe(2);
    const rows = ndjson(r.stdout);
    expect(rows.map((x) => x.trace)).toEqual(fleet.traces);
    for (const row of rows) {
      const single = await blocktime(['analyze', row.trace as string, '--json', '--variant', 'atomic']);
      if (row.trace === fleet.bad) {
        expect(single.code).toBe(2);
        expect(row).toEqual({ trace: fleet.bad, trace_meta: null, error: single.stderr.replace(/^blocktime: /, '').trim() });
        continue;
      }
      expect(single.code).toBe(0);
      expect(alone(row)).toEqual(JSON.parse(single.stdout));
      expect(Object.keys(row).slice(0, 3)).toEqual(['trace', 'trace_meta', 'fault_p99_ns']);
      expect(Object.keys(row.trace_meta as object)).toEqual(['format', 'source', 'source_group', 'qemu_version', 'qemu_design', 'page_size', 'vcpus']);
      const exact = await blocktime(['analyze', row.trace as string, '--json', '--variant', 'exact']);
      expect(row.fault_p99_ns).toBe((JSON.parse(exact.stdout) as { latency: { overall: { p99_ns: number } } }).latency.overall.p99_ns);
    }
  });
});

describe('blocktime compare with several traces', () => {
  it('gives the rows compare --json gives one trace at a time, with --jobs 1 and with workers alike', { timeout: 120_000 }, async () => {
    const [a, gz, , log] = fleet.traces;
    const two = await blocktime(['compare', a!, gz!, log!, '--json', '--explain', '3', '--jobs', '3']);
    const one = await blocktime(['compare', a!, gz!, log!, '--json', '--explain', '3', '--jobs', '1']);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    for (const row of ndjson(two.stdout)) {
      const single = await blocktime(['compare', row.trace as string, '--json', '--explain', '3']);
      expect(alone(row)).toEqual(JSON.parse(single.stdout));
    }
  });

  it('shows the table sorted and cut, the failed trace and the fleet distributions, with every design\'s error', { timeout: 60_000 }, async () => {
    const r = await blocktime(['compare', join(fleet.dir, '**/*.{arrow,gz,csv,zst,ndjson}'), '--sort', 'vcpus', '--top', '2']);
    expect(r.code).toBe(2);
    const lines = r.stdout.split('\n');
    const tableRows = lines.filter((l) => l.includes(fleet.dir) && !l.includes('expected'));
    expect(tableRows.map((l) => l.trim().split(/\s+/)[0])).toEqual([fleet.traces[4], fleet.traces[0]]);
    expect(r.stdout).toContain('... 2 more (--top)');
    expect(r.stdout).toMatch(/Failed \(1\)\n {2}.*d-bad\.csv: line \d+: row \d+: expected/);
    for (const what of ['all vCPUs down', 'worst vCPU', 'mutex - exact, vCPU sum', 'atomic - exact, all down']) expect(r.stdout).toContain(what);
  });
});

describe('blocktime analyze --sort / --top', () => {
  it('orders by total blocktime by default and by file name on request; --top cuts the traces, not the vCPUs', { timeout: 60_000 }, async () => {
    const byName = await blocktime(['analyze', fleet.dir, '--sort', 'file']);
    const names = byName.stdout.split('\n').filter((l) => /^\s+\//.test(l) && !l.includes('expected')).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual(fleet.traces.filter((t) => t !== fleet.bad));
    const top = await blocktime(['analyze', fleet.dir, '--top', '1']);
    const shown = top.stdout.split('\n').filter((l) => /^\s+\//.test(l) && !l.includes('expected'));
    expect(shown).toHaveLength(1);
    const json = ndjson((await blocktime(['analyze', fleet.dir, '--json'])).stdout).filter((x) => x.error === undefined);
    const worst = json.reduce((a, b) => ((a.total_blocktime_ns as number) >= (b.total_blocktime_ns as number) ? a : b));
    expect(shown[0]!.trim().split(/\s+/)[0]).toBe(worst.trace);
  });

  it('refuses the options that read one trace, and an output that is not a table', async () => {
    const expect2 = async (args: string[], message: RegExp): Promise<void> => {
      const r = await blocktime(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    await expect2(['analyze', fleet.dir, '--timing'], /--timing reads one trace/);
    await expect2(['analyze', fleet.dir, '-o', join(testDir(), 'x.html')], /expected a file ending in .parquet/);
    await expect2(['analyze', fleet.dir, '--sort', 'size'], /--sort: invalid value 'size'/);
  });
});

describe('blocktime analyze DIR -o', () => {
  it('writes the rows as Parquet, CSV and NDJSON tables, one column per scalar, lists as lists', { timeout: 120_000 }, async () => {
    const dir = testDir();
    const json = ndjson((await blocktime(['analyze', fleet.dir, '--json'])).stdout);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const ext of ['parquet', 'csv', 'ndjson']) {
        const out = join(dir, `fleet.${ext}`);
        const r = await blocktime(['analyze', fleet.dir, '-o', out]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`wrote ${out} (5 rows)`);
        const rows = (await conn.runAndReadAll(`SELECT * FROM '${out}'`)).getRowObjectsJS();
        expect(rows.map((x) => x.trace)).toEqual(fleet.traces);
        const bad = rows.find((x) => x.trace === fleet.bad)!;
        expect(bad.error).toBe(json.find((x) => x.trace === fleet.bad)!.error);
        expect(bad.total_blocktime_ns).toBeNull();
        for (const row of rows.filter((x) => x.trace !== fleet.bad)) {
          const want = json.find((x) => x.trace === row.trace)!;
          const meta = want.trace_meta as Record<string, unknown>;
          expect(Number(row.total_blocktime_ns)).toBe(want.total_blocktime_ns);
          expect(Number(row.events_fault)).toBe((want.events as { fault: number }).fault);
          expect(row.trace_meta_source).toBe(meta.source);
          expect(Number(row.trace_meta_vcpus)).toBe(meta.vcpus);
          expect(row.error).toBeNull();
          if (ext !== 'csv') expect((row.vcpu_blocktime_ns as unknown[]).map(Number)).toEqual(want.vcpu_blocktime_ns);
          else expect(String(row.vcpu_blocktime_ns)).toBe(`[${(want.vcpu_blocktime_ns as number[]).join(', ')}]`);
        }
      }
      expect(readFileSync(join(dir, 'fleet.ndjson'), 'utf8').split('\n')[0]).toMatch(/^\{"trace":/);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
