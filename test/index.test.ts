import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { analyze, compare, openDatabase, openTrace, plot, query, QueryError, report, simulate } from '../src/index.js';
import { testDir } from './tmp.js';

const EXAMPLE1 = 'fixtures/examples/example1.csv';
const EXAMPLE2 = 'fixtures/examples/example2.csv';
const ms = 1e6;

describe('public API', () => {
  // tslab (the notebooks' kernel) loads the package with require(); a top-level await anywhere in its graph breaks that.
  it.skipIf(!existsSync('dist/index.js'))('the built package loads with require() as well as import', () => {
    const out = execFileSync(process.execPath, ['-e', "const m = require('./dist/index.js'); process.stdout.write(typeof m.openDatabase)"], { encoding: 'utf8' });
    expect(out).toBe('function');
  });


  it('analyze: all three designs by default, or the ones asked for', async () => {
    const all = await analyze(EXAMPLE1);
    expect(Object.keys(all).sort()).toEqual(['atomic', 'exact', 'mutex']);
    expect(all.mutex.vcpu_blocktime_ns).toEqual([50 * ms, 40 * ms, 30 * ms]);
    expect(all.mutex.qemu?.['postcopy-blocktime']).toBe(10);
    const some = await analyze(EXAMPLE2, { variants: ['exact', 'atomic'] });
    expect(Object.keys(some).sort()).toEqual(['atomic', 'exact']);
    expect(some.exact.vcpu_blocktime_ns).toEqual([20 * ms, 25 * ms]);
    expect(some.atomic.total_blocktime_ns).toBe(10 * ms);
  });

  it('analyze and compare take an open source as well as a path', async () => {
    const source = await openTrace(EXAMPLE2);
    try {
      const c = await compare(source);
      expect(c.total.exact_ns).toBe(15 * ms);
      expect(c.total.atomic.ns).toBe(10 * ms);
      expect(c.vcpu.map((r) => r.exact_ns)).toEqual([20 * ms, 25 * ms]);
    } finally {
      await source.close();
    }
  });

  it('openDatabase: SQL over the events and views, typed errors for bad SQL', async () => {
    const db = await openDatabase(EXAMPLE1);
    try {
      expect(db.results.exact.total_blocktime_ns).toBe(10 * ms);
      const rows = await db.query('SELECT cpu, (end_ns - start_ns)::DOUBLE AS ns FROM blocked_intervals ORDER BY cpu, start_ns');
      expect(rows).toEqual([
        { cpu: 0, ns: 20 * ms },
        { cpu: 0, ns: 30 * ms },
        { cpu: 1, ns: 40 * ms },
        { cpu: 2, ns: 30 * ms },
      ]);
      expect(await db.query('SELECT count(*)::INTEGER AS n FROM events WHERE kind = $1', ['fault'])).toEqual([{ n: 4 }]);
      await expect(db.query('SELECT nope FROM events')).rejects.toBeInstanceOf(QueryError);
    } finally {
      await db.close();
    }
    expect(await query(EXAMPLE1, 'SELECT (end_ns - start_ns)::DOUBLE AS ns FROM all_down_intervals')).toEqual([{ ns: 10 * ms }]);
  });

  it('simulate writes a trace the other functions read; report writes one page', async () => {
    const dir = testDir('blocktime-api-');
    const trace = join(dir, 'sim.arrow');
    const sim = await simulate(trace, { scenario: 'reentrant', vcpus: 2, faults: 300, seed: 3 });
    expect(sim.scenario).toBe('reentrant');
    const r = await analyze(trace);
    expect(r.exact.events.fault).toBe(sim.stats.vcpuFaults + sim.stats.nonVcpuFaults + sim.stats.tid0Faults);
    expect(r.exact.vcpus).toBe(2);
    const out = join(dir, 'sim.html');
    const built = await report(trace, { output: out });
    expect(await readFile(out, 'utf8')).toBe(built.html);
    expect(built.data.results.exact.total_blocktime_ns).toBe(r.exact.total_blocktime_ns);
  });

  it('plot renders a Vega-Lite chart to SVG without a browser', async () => {
    const svg = await plot({ data: { values: [{ a: 'x', b: 2 }, { a: 'y', b: 3 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path/g)?.length).toBeGreaterThan(2);
  });
});
