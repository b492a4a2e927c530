import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureNative } from '../../../src/capture/native/capture.js';
import { NATIVE_DEFAULTS, type NativeOptions } from '../../../src/capture/native/options.js';
import { replayTrace } from '../../../src/replay/engine.js';
import { Kind } from '../../../src/trace/schema.js';
import { openTrace } from '../../../src/formats/open.js';
import { nativeSkipReason } from './availability.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: NativeOptions = {
  ...NATIVE_DEFAULTS,
  vcpus: 4,
  memoryBytes: 32 * 2 ** 20,
  durationNs: 1.5e9,
  latencyNs: 100_000,
  bandwidth: 16 * 2 ** 20,
};

describe.skipIf(nativeSkipReason !== undefined)('capture --native (userfaultfd)', () => {
  it('records a trace in mutex order whose replay equals the live locking design, field by field', async () => {
    const path = join(dir, 'trace.arrow');
    const report = await captureNative(OPTIONS, path);
    const { live, replay } = report;
    const m = replay.mutex;

    expect(live.error).toBeNull();
    expect(live.faultRows).toBeGreaterThan(100);
    expect(report.rows).toBe(4 + live.faultRows + live.resolveRows);
    expect(m.events).toEqual({ vcpu: 4, fault: live.faultRows, resolve: live.resolveRows });

    expect(live.mutex.vcpuBlockedNs).toEqual(m.vcpu_blocktime_ns);
    expect(live.mutex.totalNs).toBe(m.total_blocktime_ns);
    expect(live.mutex.vcpuFaults).toEqual(m.vcpu_faults);
    expect(live.mutex.buckets).toEqual(m.latency_buckets);
    expect(live.mutex.nonVcpuFaults).toBe(m.non_vcpu_faults);
    expect(live.mutex.nonVcpuNs).toBe(m.non_vcpu_blocktime_ns);
    expect(live.mutex.counted).toBe(m.faults.counted);
    expect(live.mutex.noTid).toBe(m.faults.no_tid);
    expect(live.mutex.alreadyReceived).toBe(m.faults.already_received);
    expect(live.mutex.unresolved).toBe(m.faults.unresolved);
    expect(live.mutex.negativeDuration).toBe(m.anomalies.negative_duration);
    expect(report.comparison.mutex_live_equals_replay).toBe(true);
    expect(report.comparison.mutex_mismatches).toEqual([]);

    // Every fault message came from a vCPU thread's first touch of a page, which the thread timed.
    expect(live.truth.vcpuStalls.reduce((a, b) => a + b, 0)).toBe(live.faultRows);
    for (let c = 0; c < 4; c++) expect(live.truth.vcpuBlockedNs[c]).toBeGreaterThan(0);

    // The file itself: vcpu rows first with the threads' kernel ids, mutex order (times never go back), metadata.
    const source = await openTrace(path);
    expect(source.meta.vcpus).toBe(4);
    expect(source.meta.startNs).toBe(live.startNs);
    expect(source.meta.source).toMatchObject({ kind: 'native', vcpus: 4, resolvers: 1, pattern: 'random', memory_bytes: 32 * 2 ** 20 });
    const tids: number[] = [];
    let previous = -1n;
    let rows = 0;
    for await (const b of source.batches()) {
      for (let i = 0; i < b.length; i++, rows++) {
        if (rows < 4) {
          expect(b.kind[i]).toBe(Kind.vcpu);
          expect(b.cpu[i]).toBe(rows);
          tids.push(b.tid[i]!);
        } else {
          expect(b.kind[i]).not.toBe(Kind.vcpu);
        }
        expect(b.t[i]! >= previous).toBe(true);
        previous = b.t[i]!;
      }
    }
    await source.close();
    expect(rows).toBe(report.rows);
    expect(tids).toEqual(live.tids);
  });

  it('replays its own trace a second time to the same figures', async () => {
    const path = join(dir, 'again.arrows');
    const report = await captureNative({ ...OPTIONS, vcpus: 2, durationNs: 0.5e9, resolvers: 2, pattern: 'hotset' }, path);
    const source = await openTrace(path);
    const again = await replayTrace(source, ['mutex', 'atomic', 'exact']);
    await source.close();
    expect(again.results.mutex).toEqual(report.replay.mutex);
    expect(again.results.exact).toEqual(report.replay.exact);
    expect(report.comparison.mutex_live_equals_replay).toBe(true);
  });
});
