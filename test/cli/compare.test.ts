import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import type { CompareResult } from '../../src/compare/result.js';
import { blocktime, hasEscapes, ROOT } from './run.js';

const EXAMPLES = join(ROOT, 'fixtures', 'examples');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.csv'))
  .map((f) => f.slice(0, -4));
const expected = (name: string, variant: string): { total_blocktime_ns: number; vcpu_blocktime_ns: number[] } =>
  JSON.parse(readFileSync(join(EXAMPLES, `${name}.${variant}.json`), 'utf8'));

async function compareJson(args: string[]): Promise<CompareResult> {
  const r = await blocktime(['compare', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as CompareResult;
}

describe('compare --json on the worked examples', () => {
  for (const name of examples) {
    it(`${name}: each design's figures are its analyze result, differences taken from exact`, async () => {
      const c = await compareJson([`fixtures/examples/${name}.csv`]);
      for (const v of ['exact', 'mutex', 'atomic'] as const) {
        expect(c.results[v]).toEqual(JSON.parse(readFileSync(join(EXAMPLES, `${name}.${v}.json`), 'utf8')));
      }
      const exact = expected(name, 'exact');
      expect(c.total.exact_ns).toBe(exact.total_blocktime_ns);
      for (const v of ['mutex', 'atomic'] as const) {
        const e = expected(name, v);
        expect(c.total[v].ns).toBe(e.total_blocktime_ns);
        expect(c.total[v].diff_ns).toBe(e.total_blocktime_ns - exact.total_blocktime_ns);
        expect(c.vcpu.map((row) => row[v].ns)).toEqual(e.vcpu_blocktime_ns);
        expect(c.vcpu.map((row) => row[v].diff_ns)).toEqual(e.vcpu_blocktime_ns.map((ns, i) => ns - exact.vcpu_blocktime_ns[i]!));
      }
      expect(c.explain).toEqual([]);
    });
  }
});

describe('compare --explain', () => {
  it('lists the first K divergent rows, in trace order, with what each design did', async () => {
    const all = await compareJson(['fixtures/examples/example3.csv', '--explain', '100']);
    expect(all.explain.length).toBeGreaterThan(1);
    const two = await compareJson(['fixtures/examples/example3.csv', '--explain', '2']);
    expect(two.explain).toEqual(all.explain.slice(0, 2));
    const rows = all.explain.map((e) => e.row);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    // Example 3, row 4 (vcpu rows count): cpu 0 faults on C while its fault on A is pending.
    expect(all.explain[0]).toMatchObject({ row: 4, t_ns: '10000000', kind: 'fault', vcpu: 0, page: '0x3000' });
  });

  it('prints each divergence as a block: row, time, vCPU, page, then one line per design', async () => {
    const human = await blocktime(['compare', 'fixtures/examples/example3.csv', '--explain', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('First 2 divergences');
    expect(human.stdout).toMatch(/row 4\s+\+10 ms\s+t_ns 10000000\s+fault\s+vCPU 0\s+page 0x3000\n\s+mutex\s+\S.*\n\s+atomic\s+\S.*\n\s+exact\s+\S/);
  });
});

describe('compare on the bundled sample trace', () => {
  it('prints the side-by-side table and the explanation, plain off a terminal', async () => {
    const r = await blocktime(['compare', 'fixtures/sample.arrow']);
    expect(r.code, r.stderr).toBe(0);
    expect(hasEscapes(r.stdout)).toBe(false);
    expect(r.stdout).toMatch(/vCPU\s+faults\s+exact\s+mutex\s+Δ mutex\s+%\s+atomic\s+Δ atomic\s+%\s+atomic faults/);
    const d = '[\\d,]+(?:\\.\\d{1,3})? (?:ns|us|ms|s)';
    expect(r.stdout).toMatch(new RegExp(`\\n\\s+total\\s+${d}\\s+${d}\\s+[+-]?${d}\\s+[+-]?\\d+\\.\\d%`));
    expect(r.stdout).toContain('What explains the differences');
    expect(r.stdout).toMatch(new RegExp(`mutex - exact\\s+[+-]?${d} = `));
    const forced = await blocktime(['compare', 'fixtures/sample.arrow'], { env: { FORCE_COLOR: '1' } });
    expect(hasEscapes(forced.stdout)).toBe(true);
  });

  it('--json carries the explanation counters, and they account for the differences', async () => {
    const c = await compareJson(['fixtures/sample.arrow']);
    const x = c.explanation;
    expect(c.vcpu).toHaveLength(c.vcpus);
    // The sample mixes every irregularity in: the counters must see them.
    expect(x.reentrant.count).toBeGreaterThan(0);
    expect(x.overwritten.count).toBeGreaterThan(0);
    if (c.results.mutex.anomalies.negative_duration === 0) {
      expect(c.vcpu_sum.mutex.diff_ns).toBe(x.mutex_inflated.ns - x.mutex_dropped.ns);
      expect(c.vcpu_sum.atomic.diff_ns).toBe(-(x.overwritten.ns + x.ms_truncation_lost_ns));
    }
  });
});

describe('compare: --cpu, --tid, --sort, --top', () => {
  it('--json shows the chosen vCPUs in vcpu and in each result, totals and sums unchanged', async () => {
    const whole = JSON.parse((await blocktime(['compare', 'fixtures/examples/example3.csv', '--json'])).stdout) as Record<string, unknown> & {
      vcpu: Array<{ cpu: number }>;
      results: Record<string, { vcpu_blocktime_ns: number[]; total_blocktime_ns: number; vcpus_shown?: number[] }>;
    };
    const r = await blocktime(['compare', 'fixtures/examples/example3.csv', '--json', '--cpu', '1']);
    expect(r.code, r.stderr).toBe(0);
    const part = JSON.parse(r.stdout) as typeof whole;
    expect(part.vcpus_shown).toEqual([1]);
    expect(part.vcpu).toEqual([whole.vcpu[1]]);
    for (const k of ['total', 'vcpu_sum', 'explanation', 'faults', 'events']) expect(part[k], k).toEqual(whole[k]);
    for (const d of ['exact', 'mutex', 'atomic']) {
      expect(part.results[d]!.vcpus_shown).toEqual([1]);
      expect(part.results[d]!.vcpu_blocktime_ns).toEqual([whole.results[d]!.vcpu_blocktime_ns[1]]);
      expect(part.results[d]!.total_blocktime_ns).toBe(whole.results[d]!.total_blocktime_ns);
    }
  });

  it('the table sorts and cuts, the rest in one row', async () => {
    const r = await blocktime(['compare', 'fixtures/sample.arrow', '--sort', 'faults', '--top', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n\s+6 more\s+[\d,]+\s/);
    expect(r.stdout).toContain('the 2 vCPUs with the most faults; 6 more in one row (--all lists every vCPU)');
  });
});
