import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { blocktime, hasEscapes, ROOT } from './run.js';
import { formatDuration } from '../../src/units.js';

/** A duration as every report prints it: "812 us", "3.2 ms", "3,164.103 s". */
const DURATION = '[\\d,]+(?:\\.\\d{1,3})? (?:ns|us|ms|s)';

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
    expect(r.stdout).toMatch(/Blocktime per vCPU\n\s+vCPU\s+faults\s+blocktime\s+share\s+per fault\n/);
    // Every vCPU has a row, then the sum.
    for (let i = 0; i < json.vcpus; i++) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${i}\\s+[\\d,]+\\s+${DURATION}\\s`));
    expect(r.stdout).toMatch(new RegExp(`\\n\\s+sum\\s+[\\d,]+\\s+${DURATION}\\s+100\\.0%\\s+${DURATION}\\n`));
    expect(r.stdout).toContain(`Total blocktime (all vCPUs blocked at once)  ${formatDuration(json.total_blocktime_ns)}`);
    expect(r.stdout).toMatch(/Non-vCPU faults  [\d,]+ faults/);
    expect(r.stdout).toMatch(/Fault latency .*\n(\s+\[[^\n]+\)\s+[█▏▎▍▌▋▊▉]*\s+[\d,]+\s+\d+\.\d%\n)+/);
    expect(r.stdout).toMatch(/\nAnomalies\n/);
  });

  it('shows percentiles and open intervals for exact, diagnostics for atomic', async () => {
    const exact = await blocktime(['analyze', 'fixtures/sample.arrow', '--variant', 'exact']);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toMatch(/vCPU\s+faults\s+blocktime\s+share\s+mean\s+p50\s+p99\s+p99\.9\s+max/);
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

describe('analyze: --cpu, --tid, --sort, --top', () => {
  const EX1 = 'fixtures/examples/example1.csv';

  it('--json keeps the totals and shows the chosen vCPUs in every per-vCPU array, named by vcpus_shown', async () => {
    const whole = JSON.parse((await blocktime(['analyze', EX1, '--variant', 'exact', '--json'])).stdout) as Record<string, unknown> & {
      vcpu_blocktime_ns: number[];
      vcpu_faults: number[];
      latency: { overall: unknown; vcpu: unknown[] };
    };
    expect(whole.vcpus_shown).toBeUndefined();
    const r = await blocktime(['analyze', EX1, '--variant', 'exact', '--json', '--tid', '103,101', '--sort', 'latency']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const part = JSON.parse(r.stdout) as typeof whole;
    // Thread 101 is vCPU 0 (waits 20 and 30 ms), 103 is vCPU 2 (one wait of 30 ms): vCPU 2 has the longer mean wait.
    expect(part.vcpus_shown).toEqual([2, 0]);
    expect(part.vcpu_blocktime_ns).toEqual([whole.vcpu_blocktime_ns[2], whole.vcpu_blocktime_ns[0]]);
    expect(part.vcpu_faults).toEqual([whole.vcpu_faults[2], whole.vcpu_faults[0]]);
    expect(part.latency.vcpu).toEqual([whole.latency.vcpu[2], whole.latency.vcpu[0]]);
    for (const k of ['total_blocktime_ns', 'faults', 'events', 'vcpus', 'latency_buckets', 'non_vcpu_blocktime_ns']) expect(part[k], k).toEqual(whole[k]);
    expect(part.latency.overall).toEqual(whole.latency.overall);
    const mutex = JSON.parse((await blocktime(['analyze', EX1, '--json', '--top', '1'])).stdout) as { vcpus_shown: number[]; qemu: Record<string, number[]> };
    expect(mutex.vcpus_shown).toEqual([0]);
    expect(mutex.qemu['postcopy-vcpu-blocktime']).toEqual([50]);
    expect(mutex.qemu['postcopy-vcpu-latency']).toHaveLength(1);
  });

  it('the table shows them, and says under it that the sum and total are the whole VM\'s', async () => {
    const r = await blocktime(['analyze', EX1, '--cpu', '1-2', '--sort', 'blocktime']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(rows).toEqual([1, 2]);
    expect(r.stdout).toMatch(/\n\s+sum\s+4\s+120 ms\s+100\.0%/);
    expect(r.stdout).toContain("vCPUs 1-2 shown (2 of 3); the sum and total are the whole VM's");
  });

  it('a bad list, a vCPU or thread the trace lacks, or --all with --top: one line, exit 2', async () => {
    for (const [args, message] of [
      [['--cpu', '1,,2'], "blocktime: --cpu: invalid list '1,,2': an empty item; expected a list like 0,3,8-15 (whole numbers and ranges separated by commas)\n"],
      [['--cpu', '3'], 'blocktime: --cpu: vCPU 3 is not in this trace; expected vCPUs from 0 to 2\n'],
      [['--tid', '999'], 'blocktime: --tid: thread 999 is not a vCPU thread of this trace; expected one its vcpu rows declare\n'],
      [['--sort', 'time'], "blocktime: --sort: invalid value 'time': expected one of blocktime, faults, latency, cpu, total, worst, sum, p99, events, vcpus, anomalies, mutex-error, atomic-error, file\n"],
      [['--all', '--top', '2'], 'blocktime: give --all or --top, not both\n'],
    ] as const) {
      const r = await blocktime(['analyze', EX1, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(message);
      expect(r.stdout).toBe('');
    }
  });
});
