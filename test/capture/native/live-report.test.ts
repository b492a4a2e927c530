import { describe, expect, it } from 'vitest';
import type { LiveMutex } from '../../../src/capture/native/addon.js';
import { mutexMismatches } from '../../../src/capture/native/live-report.js';
import { replayBatches } from '../../../src/replay/engine.js';
import type { AnalysisResult } from '../../../src/replay/result.js';
import { allocBatch } from '../../../src/trace/batch.js';
import { Kind } from '../../../src/trace/schema.js';

/** docs/blocktime.md, Example 1, as a capture would hand it over. */
async function example1(): Promise<AnalysisResult> {
  const rows: Array<[number, number, number, number, number]> = [
    [0, Kind.vcpu, 101, 0, 0],
    [0, Kind.vcpu, 102, 0, 1],
    [0, Kind.vcpu, 103, 0, 2],
    [10, Kind.fault, 101, 0x1000, -1],
    [20, Kind.fault, 102, 0x2000, -1],
    [30, Kind.resolve, 0, 0x1000, -1],
    [40, Kind.fault, 103, 0x3000, -1],
    [50, Kind.fault, 101, 0x4000, -1],
    [60, Kind.resolve, 0, 0x2000, -1],
    [70, Kind.resolve, 0, 0x3000, -1],
    [80, Kind.resolve, 0, 0x4000, -1],
  ];
  const b = allocBatch(rows.length);
  rows.forEach(([ms, kind, tid, addr, cpu], i) => {
    b.t[i] = BigInt(ms) * 1_000_000n;
    b.kind[i] = kind;
    b.tid[i] = tid;
    b.addr[i] = BigInt(addr);
    b.cpu[i] = cpu;
  });
  const outcome = await replayBatches({ pageSize: 4096, vcpus: 3, startNs: 0n }, [b], ['mutex']);
  return outcome.results.mutex!;
}

function liveFrom(r: AnalysisResult): LiveMutex {
  return {
    vcpuBlockedNs: [...r.vcpu_blocktime_ns],
    vcpuFaults: [...r.vcpu_faults],
    totalNs: r.total_blocktime_ns,
    nonVcpuFaults: r.non_vcpu_faults,
    nonVcpuNs: r.non_vcpu_blocktime_ns,
    buckets: [...r.latency_buckets],
    counted: r.faults.counted,
    noTid: r.faults.no_tid,
    alreadyReceived: r.faults.already_received,
    unresolved: r.faults.unresolved,
    negativeDuration: r.anomalies.negative_duration,
    over255: r.anomalies.over_255_outstanding,
  };
}

describe('live locking design vs replay', () => {
  it('finds no difference when every field agrees', async () => {
    const r = await example1();
    expect(r.vcpu_blocktime_ns).toEqual([50e6, 40e6, 30e6]);
    expect(mutexMismatches(liveFrom(r), r)).toEqual([]);
  });

  it('names each differing field with both values', async () => {
    const r = await example1();
    const live = liveFrom(r);
    live.vcpuBlockedNs[1] = 40e6 + 1;
    live.buckets[14] = 2;
    live.totalNs = 0;
    live.vcpuFaults = [2, 1];
    expect(mutexMismatches(live, r)).toEqual([
      'total_blocktime_ns: live 0, replay 10000000',
      'vcpu_blocktime_ns[1]: live 40000001, replay 40000000',
      'vcpu_faults.length: live 2, replay 3',
      'vcpu_faults[2]: live NaN, replay 1',
      'latency_buckets[14]: live 2, replay 3',
    ]);
  });
});
