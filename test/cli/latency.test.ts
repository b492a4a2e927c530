import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLogs } from '../latency/two-sided-logs.js';
import { blocktime, hasEscapes } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-cli-latency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATS = ['count', 'mean_ns', 'p50_ns', 'p90_ns', 'p99_ns', 'p999_ns', 'max_ns'];

describe('blocktime latency DST.log --source SRC.log', () => {
  it('--json: the documented shape, over served faults', async () => {
    const { dst, src } = writeLogs(dir, 'json');
    const r = await blocktime(['latency', dst, '--source', src, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & {
      categories: Record<string, number>;
      legs: Record<string, Record<string, number>>;
      clock: Record<string, unknown>;
      per_vcpu: Array<{ cpu: number; served: number; legs: Record<string, unknown> }>;
      per_channel: Array<{ channel: string; served: number }>;
      causes: Array<{ cause: string; evidence: number; of: number; text: string }>;
    };
    expect(j.faults).toBe(6);
    expect(Object.keys(j.categories)).toEqual(['served', 'duplicate', 'background', 'no_request_sent', 'unmatched']);
    expect(Object.keys(j.legs)).toEqual(['request_transit', 'source_queue_wait', 'page_transit', 'total']);
    for (const leg of Object.values(j.legs)) expect(Object.keys(leg)).toEqual(STATS);
    expect(j.legs.total).toEqual({ count: 2, mean_ns: 1_407_500, p50_ns: 505_000, p90_ns: 2_310_000, p99_ns: 2_310_000, p999_ns: 2_310_000, max_ns: 2_310_000 });
    expect(j.clock).toEqual({ offset_ns: 0, uncertainty_ns: 0, source: 'same-host' });
    expect(j.per_vcpu.map((v) => [v.cpu, v.served])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(Object.keys(j.per_vcpu[0]!.legs)).toEqual(Object.keys(j.legs));
    expect(j.per_channel.map((c) => [c.channel, c.served])).toEqual([
      ['main', 1],
      ['preempt', 1],
    ]);
    expect(j.causes.map((c) => [c.cause, c.evidence, c.of])).toEqual([
      ['rate_limit_window', 1, 2],
      ['channel', 1, 2],
    ]);
  });

  it('prints the legs, per vCPU and per channel tables, histograms and causes; no colors off a terminal', async () => {
    const { dst, src } = writeLogs(dir, 'human');
    const r = await blocktime(['latency', dst, '--source', src]);
    expect(r.code).toBe(0);
    expect(hasEscapes(r.stdout)).toBe(false);
    expect(r.stdout).toContain('faults  6: served 2, duplicate 1, background 1, no request sent 1, unmatched 1');
    expect(r.stdout).toMatch(/\n {2}request transit +2 +100 us +100 us/);
    expect(r.stdout).toMatch(/\n {2}total +2 +1\.408 ms +505 us +2\.31 ms +2\.31 ms +2\.31 ms +2\.31 ms\n/);
    expect(r.stdout).toMatch(/Per vCPU\n +vCPU +served +request transit p50 \/ p99/);
    expect(r.stdout).toMatch(/\n {2}preempt +1 +100 us \/ 100 us/);
    expect(r.stdout).toContain('Histograms (log2)');
    expect(r.stdout).toContain('1 of 2 served pages arrived on the preempt channel');
  });

  it('--clock-offset takes a signed duration; a shifted source log is estimated and its interval printed', async () => {
    const { dst, src } = writeLogs(dir, 'shifted', { src: { shiftNs: -2_000_000n } });
    const est = await blocktime(['latency', dst, '--source', src]);
    expect(est.stdout).toContain('source - destination = -2.056500 ms ± 0.146500 ms (estimated); bounds [-2.203000 ms, -1.910000 ms]');
    const given = JSON.parse((await blocktime(['latency', dst, '--source', src, '--clock-offset', '-2ms', '--json'])).stdout) as { clock: unknown; legs: { request_transit: { max_ns: number } } };
    expect(given.clock).toEqual({ offset_ns: -2_000_000, uncertainty_ns: 0, source: 'given' });
    expect(given.legs.request_transit.max_ns).toBe(100_000);
  });

  it('the destination log alone: totals, and a note naming what would split them', async () => {
    const { dst } = writeLogs(dir, 'alone');
    const r = await blocktime(['latency', dst]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}total +4 /);
    expect(r.stdout).not.toContain('request transit  ');
    expect(r.stdout).toMatch(/Notes\n {2}- only the destination log: total measured/);
  });

  it('bad input: one line naming the file and line, exit 2', async () => {
    const bad = join(dir, 'bad.log');
    writeFileSync(bad, '1@1795664025.000001:postcopy_ram_fault_thread_request Request for HVA=0x1000 pid=1\n');
    const r = await blocktime(['latency', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`blocktime: ${bad}: line 1: expected postcopy_ram_fault_thread_request "Request for HVA=0x... rb=NAME offset=0x... pid=N"\n`);
    const { dst } = writeLogs(dir, 'swapped');
    const swapped = await blocktime(['latency', dst, '--source', dst]);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/looks like a destination's log; expected the source's\n$/);
    const clock = await blocktime(['latency', dst, '--clock', 'sometimes']);
    expect(clock.code).toBe(2);
    expect(clock.stderr).toContain('--clock: expected auto, same-host or estimate, got "sometimes"');
  });
});

describe('import qemu-log DST --source SRC: the joined faults beside the trace, for query', () => {
  it('writes <trace>.migration.json; query sees fault_legs and phases on the trace clock', async () => {
    const { dst, src } = writeLogs(dir, 'import');
    const trace = join(dir, 'import.arrow');
    const imp = await blocktime(['import', 'qemu-log', dst, '-o', trace, '--source', src, '--vcpus', '2']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain(`migration ${join(dir, 'import.migration.json')}: the migration's phases, and each fault followed across both logs`);
    expect(imp.stderr).toContain(`wrote ${join(dir, 'import.migration.json')} (`);
    const legs = await blocktime(['query', trace, 'SELECT category, channel, cpu, request_transit_ns, source_queue_wait_ns, page_transit_ns, total_ns FROM fault_legs ORDER BY line', '--format', 'json']);
    expect(legs.code).toBe(0);
    const rows = JSON.parse(legs.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.category)).toEqual(['served', 'duplicate', 'background', 'no_request_sent', 'served', 'unmatched']);
    expect(rows[0]).toMatchObject({ channel: 'main', cpu: 0, request_transit_ns: 100000, source_queue_wait_ns: 2000000, page_transit_ns: 210000, total_ns: 2310000 });
    expect(rows[4]).toMatchObject({ channel: 'preempt', cpu: 1, total_ns: 505000 });
    const phases = await blocktime(['query', trace, "SELECT side, name, duration_ns FROM phases WHERE kind = 'state' ORDER BY start_ns, side", '--format', 'csv']);
    expect(phases.stdout).toBe(
      [
        'side,name,duration_ns',
        'destination,active,910000',
        'source,active,850000',
        'source,postcopy-active,6050000',
        'destination,postcopy-active,6140000',
        'source,completed,0',
        'destination,completed,0',
        '',
      ].join('\n'),
    );
    // The replay reads the trace alone: the same figures as the log's.
    const a = JSON.parse((await blocktime(['analyze', trace, '--json', '--variant', 'exact'])).stdout) as { total_blocktime_ns: number };
    const b = JSON.parse((await blocktime(['analyze', dst, '--json', '--variant', 'exact', '--vcpus', '2'])).stdout) as { total_blocktime_ns: number };
    expect(a.total_blocktime_ns).toBe(b.total_blocktime_ns);
  });

  it('a trace without a companion has empty phases and fault_legs; --source with -o - is refused', async () => {
    const none = await blocktime(['query', 'fixtures/sample.arrow', 'SELECT (SELECT count(*) FROM phases) + (SELECT count(*) FROM fault_legs) AS n', '--format', 'csv']);
    expect(none.stdout).toBe('n\n0\n');
    const { dst, src } = writeLogs(dir, 'stdout');
    const r = await blocktime(['import', 'qemu-log', dst, '-o', '-', '--source', src]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--source: the joined faults go to <trace>.migration.json beside the trace; give -o a file, not -');
  });
});

describe('analyze: the migration phases of a QEMU log', () => {
  it('--json gains a phases array: faults and blocktime credited in each', async () => {
    const lines = readFileSync('fixtures/qemu/example1-7.2.log', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('1795664025.150022'));
    lines.splice(at, 0, '8600@1795664025.145000:migrate_set_state new state postcopy-paused');
    const log = join(dir, 'paused.log');
    writeFileSync(log, lines.join('\n'));
    // Three vCPUs fault (N = 3): all of them are blocked at once for a while.
    for (const variant of ['atomic', 'mutex', 'exact']) {
      const r = await blocktime(['analyze', log, '--vcpus', '3', '--variant', variant, '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout) as { total_blocktime_ns: number; events: { fault: number }; phases: Array<{ state: string; faults: number; blocktime_ns: number; duration_ns: number }> };
      expect(j.phases.map((p) => [p.state, p.faults, p.duration_ns])).toEqual([
        ['postcopy-active', 3, 94_689_000],
        ['postcopy-paused', 1, 35_011_000],
      ]);
      // The three vCPUs are first all blocked at 150.022 ms, after the pause began: the replay up to it credits nothing.
      expect(j.phases.map((p) => p.blocktime_ns)).toEqual([0, j.total_blocktime_ns]);
      expect(j.total_blocktime_ns).toBeGreaterThan(0);
    }
    const human = await blocktime(['analyze', log, '--vcpus', '3']);
    expect(human.stdout).toMatch(/Phases \(migrate_set_state; start from the first\)\n.*side +phase +start +duration +faults +blocktime\n.*\n {2}destination +postcopy-active +0 ns +94\.689 ms +3 /);
  });
});

describe('on the real QEMU 7.2 pair of fixtures/qemu-real', () => {
  const pair = 'fixtures/qemu-real/postcopy-2vcpu-7.2';

  it('matches every request across the two logs, and each served fault\'s legs add up to its total', async () => {
    const r = await blocktime(['latency', `${pair}.dst.log.gz`, '--source', `${pair}.src.log.gz`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { faults: number; categories: Record<string, number>; unmatched: Record<string, number>; source_requests_unpaired: number; legs: Record<string, { count: number }> };
    expect(j.faults).toBe(108);
    expect(j.categories).toEqual({ served: 80, duplicate: 14, background: 14, no_request_sent: 0, unmatched: 0 });
    expect(j.unmatched).toEqual({ receipt: 0, dequeue: 0, placement: 0 });
    expect(j.source_requests_unpaired).toBe(0);
    for (const leg of Object.values(j.legs)) expect(leg.count).toBe(80);

    const trace = join(dir, 'real.arrow');
    const imp = await blocktime(['import', 'qemu-log', `${pair}.dst.log.gz`, '-o', trace, '--source', `${pair}.src.log.gz`, '-q']);
    expect(imp.code, imp.stderr).toBe(0);
    const q = await blocktime([
      'query',
      trace,
      `SELECT count(*) AS served, count(*) FILTER (WHERE request_transit_ns + source_queue_wait_ns + page_transit_ns <> total_ns) AS not_adding_up FROM fault_legs WHERE category = 'served'`,
    ]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toBe('served,not_adding_up\n80,0\n');
  });
});
