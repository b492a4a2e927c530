import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureLatency } from '../../src/latency/latency.js';
import { writeLogs } from './two-sided-logs.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-latency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const US = 1000;

describe('latency: the join of a destination and a source log', () => {
  it('puts each fault in its category and measures the served ones leg by leg', async () => {
    const { dst, src } = writeLogs(dir, 'all');
    const { report, faults } = await measureLatency(dst, src);
    expect(report.faults).toBe(6);
    expect(report.categories).toEqual({ served: 2, duplicate: 1, background: 1, no_request_sent: 1, unmatched: 1 });
    expect(report.unmatched).toEqual({ receipt: 1, dequeue: 0, placement: 0 });
    expect(report.source_requests_unpaired).toBe(0);
    expect(faults.map((f) => f.category)).toEqual(['served', 'duplicate', 'background', 'no_request_sent', 'served', 'unmatched']);
    // A: 1000 -> recv 1100 -> deq 3100 -> place 3310; D: 5000 -> 5100 -> 5300 -> 5505.
    expect(report.legs.request_transit).toMatchObject({ count: 2, mean_ns: 100 * US, p50_ns: 100 * US, max_ns: 100 * US });
    expect(report.legs.source_queue_wait).toMatchObject({ count: 2, p50_ns: 200 * US, max_ns: 2000 * US, mean_ns: 1100 * US });
    expect(report.legs.page_transit).toMatchObject({ count: 2, p50_ns: 205 * US, max_ns: 210 * US });
    expect(report.legs.total).toMatchObject({ count: 2, p50_ns: 505 * US, max_ns: 2310 * US, p999_ns: 2310 * US });
    expect(report.legs.source_and_transit).toBeUndefined();
    expect(report.clock).toEqual({ offset_ns: 0, uncertainty_ns: 0, source: 'same-host' });
    expect(report.clock_bounds).toEqual({ lower_ns: -203 * US, upper_ns: 90 * US, from_requests: 4, from_pages: 2 });
    expect(report.notes).toEqual([]);
  });

  it('the legs add up to the total of every served fault', async () => {
    const { dst, src } = writeLogs(dir, 'sum', { src: { shiftNs: 3_000_000_123n } });
    const { faults, offset } = await measureLatency(dst, src);
    for (const f of faults.filter((x) => x.category === 'served')) {
      const legs = [f.tRecv! - offset - f.tFault, f.tDeq! - f.tRecv!, f.tPlace! - (f.tDeq! - offset)];
      expect(legs.reduce((a, b) => a + b, 0n)).toBe(f.tPlace! - f.tFault);
    }
  });

  it('attributes served pages to the channel they arrived on, per vCPU too', async () => {
    const { dst, src } = writeLogs(dir, 'chan');
    const { report } = await measureLatency(dst, src);
    expect(report.per_channel.map((c) => [c.channel, c.served, c.legs.total.max_ns])).toEqual([
      ['main', 1, 2310 * US],
      ['preempt', 1, 505 * US],
    ]);
    expect(report.per_vcpu.map((v) => [v.cpu, v.served, v.legs.source_queue_wait.p50_ns])).toEqual([
      [0, 1, 2000 * US],
      [1, 1, 200 * US],
    ]);
    expect(report.causes.find((c) => c.cause === 'channel')).toMatchObject({ evidence: 1, of: 2 });
  });

  it('without the destination page headers, the source says which channel sent the page', async () => {
    const { dst, src } = writeLogs(dir, 'srcchan', { dst: { without: ['ram_load_postcopy_loop'] } });
    const { report } = await measureLatency(dst, src);
    expect(report.per_channel.map((c) => [c.channel, c.served])).toEqual([
      ['main', 1],
      ['preempt', 1],
    ]);
  });

  it('names a dequeue right after a rate-limit window as such, with its count', async () => {
    const { dst, src } = writeLogs(dir, 'window');
    const { report } = await measureLatency(dst, src);
    const c = report.causes.find((x) => x.cause === 'rate_limit_window');
    // A arrived at 1100, the window started at 3000, A left the queue at 3100; D left 2.3 ms after it.
    expect(c).toMatchObject({ evidence: 1, of: 2, details: { windows: 1, queue_wait_ns: 2000 * US, all_queue_wait_ns: 2200 * US } });
  });
});

describe('latency: clocks', () => {
  const SHIFT = 5_000_000_000n;

  it('estimates the offset of a shifted source log from the bounds, and the interval holds the true one', async () => {
    const { dst, src } = writeLogs(dir, 'shift', { src: { shiftNs: SHIFT } });
    const { report } = await measureLatency(dst, src);
    expect(report.clock.source).toBe('estimated');
    expect(report.clock_bounds).toMatchObject({ lower_ns: 5e9 - 203 * US, upper_ns: 5e9 + 90 * US });
    expect(report.clock.offset_ns).toBe(5e9 - 56_500);
    expect(report.clock.uncertainty_ns).toBe(146_500);
    const { offset_ns: o, uncertainty_ns: u } = report.clock;
    expect(o - u <= 5e9 && 5e9 <= o + u).toBe(true);
    // The legs move by the estimate's error, the total not at all.
    expect(report.legs.request_transit.max_ns).toBe(100 * US + 56_500);
    expect(report.legs.total.max_ns).toBe(2310 * US);
    expect(report.categories.served).toBe(2);
  });

  it('--clock-offset: the given offset gives back the one-clock legs exactly', async () => {
    const { dst, src } = writeLogs(dir, 'given', { src: { shiftNs: SHIFT } });
    const same = await measureLatency(...Object.values(writeLogs(dir, 'given-ref')) as [string, string]);
    const { report } = await measureLatency(dst, src, { clockOffsetNs: SHIFT });
    expect(report.clock).toEqual({ offset_ns: 5e9, uncertainty_ns: 0, source: 'given' });
    expect(report.legs).toEqual(same.report.legs);
    expect(report.per_vcpu).toEqual(same.report.per_vcpu);
  });

  it('--clock estimate takes the middle of the bounds even where one clock fits', async () => {
    const { dst, src } = writeLogs(dir, 'estimate');
    const { report } = await measureLatency(dst, src, { clock: 'estimate' });
    expect(report.clock).toEqual({ offset_ns: -56_500, uncertainty_ns: 146_500, source: 'estimated' });
  });
});

describe('latency: with fewer events', () => {
  it('the destination log alone gives the totals, and says what would split them', async () => {
    const { dst } = writeLogs(dir, 'dst-only');
    const { report } = await measureLatency(dst, undefined);
    // Without the source, every fault with a placement counts as served: A twice, B, D; E was never placed.
    expect(report.categories).toEqual({ served: 4, duplicate: 0, background: 0, no_request_sent: 1, unmatched: 1 });
    expect(report.unmatched.placement).toBe(1);
    expect(report.legs.total.count).toBe(4);
    expect(report.legs.request_transit.count).toBe(0);
    expect(report.notes[0]).toMatch(/only the destination log: total measured.*--source/);
  });

  it('a source log with only receipts merges queue wait and page transit into "source + transit"', async () => {
    const { dst, src } = writeLogs(dir, 'receipts', { src: { without: ['ram_save_queue_pages', 'get_queued_page', 'get_queued_page_not_dirty', 'ram_save_page', 'postcopy_preempt_send_host_page'] } });
    const { report } = await measureLatency(dst, src);
    expect(report.categories).toEqual({ served: 3, duplicate: 1, background: 0, no_request_sent: 1, unmatched: 1 });
    expect(report.legs.source_queue_wait.count).toBe(0);
    expect(report.legs.request_transit.count).toBe(3);
    // A: 3310 - 1100; B: 2050 - 2100 (the background page was placed before the request arrived); D: 5505 - 5100.
    expect(report.legs.source_and_transit).toMatchObject({ count: 3, max_ns: 2210 * US, p50_ns: 405 * US });
    expect(report.notes.join('\n')).toMatch(/merged \("source \+ transit"\): get_queued_page and get_queued_page_not_dirty/);
  });

  it("QEMU 11's prefix (no thread ids) joins the same way", async () => {
    const ref = await measureLatency(...(Object.values(writeLogs(dir, 'tid-ref')) as [string, string]));
    const { dst, src } = writeLogs(dir, 'iso', { dst: { iso: true }, src: { iso: true } });
    const { report } = await measureLatency(dst, src);
    expect(report.categories).toEqual(ref.report.categories);
    expect(report.legs).toEqual(ref.report.legs);
    expect(report.per_channel).toEqual(ref.report.per_channel);
    expect(report.notes).toEqual(['the destination log has no thread ids (ISO prefix): request messages are paired with faults in file order']);
  });

  it('without request messages, no fault can be told as not having sent one', async () => {
    const { dst, src } = writeLogs(dir, 'no-rp', { dst: { without: ['migrate_send_rp_message'] } });
    const { report } = await measureLatency(dst, src);
    // C's fault now pairs with no receipt: unmatched, as E.
    expect(report.categories).toEqual({ served: 2, duplicate: 1, background: 1, no_request_sent: 0, unmatched: 2 });
    expect(report.clock_bounds.upper_ns).toBe(100 * US);
    expect(report.notes.join('\n')).toMatch(/no migrate_send_rp_message lines/);
  });
});

describe('the bundled two-sided logs', () => {
  it('fixtures/latency/*-7.2.log are what two-sided-logs.ts renders', async () => {
    const { readFileSync } = await import('node:fs');
    const { DST, SRC, render } = await import('./two-sided-logs.js');
    expect(readFileSync('fixtures/latency/dst-7.2.log', 'utf8')).toBe(render(DST));
    expect(readFileSync('fixtures/latency/src-7.2.log', 'utf8')).toBe(render(SRC));
  });
});

describe('readPathLog', () => {
  it('reading only some events, a damaged line of another is left to its own reader; of one asked for, it stops the read', async () => {
    const { writeFileSync } = await import('node:fs');
    const { readPathLog } = await import('../../src/latency/path-log.js');
    const path = join(dir, 'damaged.log');
    writeFileSync(path, ['1@1795664025.000001:get_queued_page pc.ram', '1@1795664025.000002:migrate_set_state new state active', ''].join('\n'));
    const log = await readPathLog(path, new Set(['state']));
    expect(log.events.map((e) => e.ev)).toEqual(['state']);
    writeFileSync(path, ['1@1795664025.000001:migrate_set_state', ''].join('\n'));
    await expect(readPathLog(path, new Set(['state']))).rejects.toThrow(`${path}: line 1: expected migrate_set_state "new state NAME"`);
  });
});
