import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { blocktime, hasEscapes, ROOT } from './run.js';

const EXAMPLES = join(ROOT, 'fixtures', 'examples');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.csv'))
  .map((f) => f.slice(0, -4));

describe('analyze --json on the worked examples', () => {
  for (const name of examples) {
    for (const variant of ['mutex', 'exact', 'atomic']) {
      it(`${name} --variant ${variant} prints exactly fixtures/examples/${name}.${variant}.json`, async () => {
        const expected = JSON.parse(readFileSync(join(EXAMPLES, `${name}.${variant}.json`), 'utf8')) as unknown;
        const r = await blocktime(['analyze', `fixtures/examples/${name}.csv`, '--variant', variant, '--json']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        // One JSON object, one line.
        expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
        expect(JSON.parse(r.stdout)).toEqual(expected);
      });
    }
  }
});

describe('analyze on the bundled sample trace', () => {
  it('prints the human report: header, per-vCPU table, total, histogram, anomalies; no colors off a terminal', async () => {
    const r = await blocktime(['analyze', 'fixtures/sample.arrow']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(hasEscapes(r.stdout)).toBe(false);
    const json = JSON.parse((await blocktime(['analyze', 'fixtures/sample.arrow', '--json'])).stdout) as { vcpus: number; total_blocktime_ns: number };
    expect(r.stdout).toContain('blocktime analyze  fixtures/sample.arrow');
    expect(r.stdout).toMatch(new RegExp(`vCPUs\\s+${json.vcpus}\\s`));
    expect(r.stdout).toMatch(/Blocktime per vCPU\n\s+vCPU\s+faults\s+blocktime ms/);
    // Every vCPU has a row, then the sum.
    for (let i = 0; i < json.vcpus; i++) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${i}\\s+[\\d,]+\\s+\\d+\\.\\d{3}\\s`));
    const totalMs = (json.total_blocktime_ns / 1e6).toFixed(3);
    expect(r.stdout).toContain(`Total blocktime (all vCPUs blocked at once)  ${totalMs} ms`);
    expect(r.stdout).toMatch(/Non-vCPU faults  [\d,]+ faults/);
    expect(r.stdout).toMatch(/Fault latency .*\n(\s+\[[^\n]+\)\s+[█▏▎▍▌▋▊▉]*\s+[\d,]+\s+\d+\.\d%\n)+/);
    expect(r.stdout).toMatch(/\nAnomalies\n/);
  });

  it('shows percentiles and open intervals for exact, diagnostics for atomic', async () => {
    const exact = await blocktime(['analyze', 'fixtures/sample.arrow', '--variant', 'exact']);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toMatch(/vCPU\s+faults\s+blocktime ms\s+share\s+mean ms\s+p50 ms\s+p99 ms\s+max ms/);
    expect(exact.stdout).toContain('Open at end of trace');
    const atomic = await blocktime(['analyze', 'fixtures/sample.arrow', '--variant', 'atomic']);
    expect(atomic.code).toBe(0);
    expect(atomic.stdout).toMatch(/Design diagnostics\n\s+[\d,]+\s+overwritten/);
  });

  it('--json prints exactly the contract object', async () => {
    const r = await blocktime(['analyze', 'fixtures/sample.arrow', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['variant', 'vcpus', 'page_size', 'events', 'faults', 'total_blocktime_ns', 'vcpu_blocktime_ns', 'vcpu_faults', 'non_vcpu_faults', 'non_vcpu_blocktime_ns', 'latency_buckets', 'anomalies', 'qemu']),
    );
    expect(j.variant).toBe('mutex');
    expect(Object.keys(j.qemu as object).sort()).toEqual(
      ['postcopy-blocktime', 'postcopy-latency', 'postcopy-latency-dist', 'postcopy-non-vcpu-latency', 'postcopy-vcpu-blocktime', 'postcopy-vcpu-latency'].sort(),
    );
  });

  it('--timing adds one JSON line on stderr with the documented keys', async () => {
    const r = await blocktime(['analyze', 'fixtures/sample.arrow', '--json', '--timing']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const t = JSON.parse(lines[0]!) as Record<string, number>;
    expect(Object.keys(t)).toEqual(['events', 'read_s', 'replay_s', 'replay_events_per_s', 'total_s']);
    const j = JSON.parse(r.stdout) as { events: { vcpu: number; fault: number; resolve: number } };
    expect(t.events).toBe(j.events.vcpu + j.events.fault + j.events.resolve);
    for (const k of ['read_s', 'replay_s', 'replay_events_per_s', 'total_s']) expect(t[k]).toBeGreaterThanOrEqual(0);
  });

  it('colors only when forced, and never under NO_COLOR', async () => {
    const forced = await blocktime(['analyze', 'fixtures/sample.arrow'], { env: { FORCE_COLOR: '1' } });
    expect(hasEscapes(forced.stdout)).toBe(true);
    const off = await blocktime(['analyze', 'fixtures/sample.arrow'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(hasEscapes(off.stdout)).toBe(false);
    expect(off.stdout).toBe(forced.stdout.replace(/\x1b\[[0-9;]*m/g, ''));
  });

  it('honors --vcpus and --page-size', async () => {
    const r = await blocktime(['analyze', 'fixtures/examples/example1.csv', '--vcpus', '4', '--page-size', '8k', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { vcpus: number; page_size: number; total_blocktime_ns: number };
    expect(j.vcpus).toBe(4);
    expect(j.page_size).toBe(8192);
    // A fourth vCPU that never faults: never all down.
    expect(j.total_blocktime_ns).toBe(0);
  });

  it('--format reads a file whatever its name', async () => {
    const r = await blocktime(['analyze', 'fixtures/sample.arrow', '--format', 'arrow', '--json']);
    expect(r.code).toBe(0);
    const bad = await blocktime(['analyze', 'fixtures/examples/example1.csv', '--format', 'ndjson']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')).toHaveLength(2);
    expect(bad.stderr).toMatch(/^blocktime: fixtures\/examples\/example1\.csv: line 1/);
  });
});
