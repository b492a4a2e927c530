import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { compareBatches } from '../../src/compare/compare.js';
import { replayBatches } from '../../src/replay/engine.js';
import { VARIANTS } from '../../src/replay/result.js';
import { Kind } from '../../src/trace/schema.js';
import { toBatch, type Row } from './trace-arbitrary.js';

const M = 1_000_000n;
const vcpu = (tid: number, cpu: number): Row => ({ t: 0n, kind: Kind.vcpu, tid, addr: 0n, cpu });
const fault = (t: bigint, tid: number, addr: bigint): Row => ({ t, kind: Kind.fault, tid, addr, cpu: -1 });
const resolve = (t: bigint, addr: bigint): Row => ({ t, kind: Kind.resolve, tid: 0, addr, cpu: -1 });

/** `vcpus` and `pageSize` are the trace's metadata (the engine takes them from nowhere else), `file` names it. */
async function run(rows: Row[], opts: { vcpus?: number; pageSize?: number; file?: string } = {}) {
  const { file, ...meta } = opts;
  return (await replayBatches({ pageSize: 4096, ...meta }, [toBatch(rows)], [...VARIANTS], file !== undefined ? { file } : {})).results;
}

describe('anomalies are counted, never fatal', () => {
  it('a resolve before its fault (time going backwards) counts a negative duration, as 0', async () => {
    const r = await run([vcpu(1, 0), fault(10n * M, 1, 0x1000n), resolve(4n * M, 0x1000n)]);
    expect(r.mutex!.anomalies.negative_duration).toBe(1);
    expect(r.mutex!.vcpu_blocktime_ns).toEqual([0]);
    expect(r.mutex!.latency_buckets[0]).toBe(1);
    expect(r.exact!.anomalies.negative_duration).toBe(1);
    expect(r.exact!.vcpu_blocktime_ns).toEqual([0]);
  });

  it('more than 255 outstanding faults on one vCPU', async () => {
    const rows = [vcpu(1, 0)];
    for (let k = 1n; k <= 257n; k++) rows.push(fault(k, 1, k * 0x1000n));
    const r = await run(rows);
    expect(r.mutex!.anomalies.over_255_outstanding).toBe(2);
    expect(r.mutex!.faults.unresolved).toBe(257);
    // exact: each fault of the thread ended the previous wait; only the last is still open.
    expect(r.exact!.faults.unresolved).toBe(1);
    expect(r.exact!.open_at_end).toEqual({ count: 1, max_age_ns: 0 });
    expect(r.atomic!.diagnostics!.overwritten).toBe(256);
  });

  it('resolves of pages nobody faulted', async () => {
    const r = await run([vcpu(1, 0), resolve(1n, 0x1000n), fault(2n, 1, 0x2000n), resolve(3n, 0x2000n), resolve(4n, 0x2000n)]);
    expect(r.mutex!.anomalies.resolve_without_fault).toBe(2);
    expect(r.exact!.anomalies.resolve_without_fault).toBe(2);
    expect(r.atomic!.anomalies.resolve_without_fault).toBe(2);
  });


  it('open waits at the end: counted, with the age of the oldest at the last row', async () => {
    const r = await run([vcpu(1, 0), vcpu(2, 1), fault(1n * M, 1, 0x1000n), fault(2n * M, 2, 0x2000n), resolve(9n * M, 0x5000n)]);
    expect(r.exact!.open_at_end).toEqual({ count: 2, max_age_ns: 8_000_000 });
    expect(r.exact!.faults.unresolved).toBe(2);
    expect(r.mutex!.faults.unresolved).toBe(2);
    expect(r.mutex!.vcpu_faults).toEqual([1, 1]);
    expect(r.atomic!.faults.unresolved).toBe(2);
  });

  it('an empty trace, and one with vcpu rows only', async () => {
    const empty = (await replayBatches({ pageSize: 4096 }, [], [...VARIANTS])).results;
    for (const v of VARIANTS) expect(empty[v]!.vcpus).toBe(0);
    const r = await run([vcpu(7, 0), vcpu(8, 1)]);
    for (const v of VARIANTS) {
      expect(r[v]!.vcpus).toBe(2);
      expect(r[v]!.vcpu_blocktime_ns).toEqual([0, 0]);
    }
  });

  it('N from the options overrides the trace; more vCPUs than declared means never all down', async () => {
    const rows = [vcpu(1, 0), fault(1n * M, 1, 0x1000n), resolve(3n * M, 0x1000n)];
    expect((await run(rows)).mutex!.total_blocktime_ns).toBe(2_000_000);
    const r = await run(rows, { vcpus: 2 });
    for (const v of VARIANTS) {
      expect(r[v]!.vcpus).toBe(2);
      expect(r[v]!.total_blocktime_ns).toBe(0);
    }
  });
});

describe('bad input and options', () => {
  it('a vcpu row after the first fault names its row', async () => {
    await expect(run([vcpu(1, 0), fault(1n, 1, 0x1000n), vcpu(2, 1)])).rejects.toThrow(InputError);
    await expect(run([vcpu(1, 0), fault(1n, 1, 0x1000n), vcpu(2, 1)])).rejects.toThrow(/row 3: a vcpu row after the first fault/);
  });

  it('a cpu index beyond --vcpus', async () => {
    await expect(run([vcpu(1, 0), vcpu(2, 5)], { vcpus: 2, file: 't.csv' })).rejects.toThrow(/t\.csv: row 2: vcpu row declares cpu 5, but the trace has 2 vCPUs/);
  });

  it('a page size that is not a power of two, a vCPU count below 1', async () => {
    await expect(run([vcpu(1, 0)], { pageSize: 3000 })).rejects.toThrow(UsageError);
    await expect(run([vcpu(1, 0)], { vcpus: 0 })).rejects.toThrow(UsageError);
  });
});

describe('what cannot be given exactly is refused, never rounded', () => {
  it('a row 2^53 ns or more from the first row, named by its row', async () => {
    const far = 2n ** 53n;
    await expect(run([vcpu(1, 0), fault(1n, 1, 0x1000n), fault(far - 1n, 1, 0x2000n), resolve(far - 1n, 0x2000n)], { file: 't.csv' })).resolves.toBeDefined();
    await expect(run([vcpu(1, 0), fault(1n, 1, 0x1000n), fault(far, 1, 0x2000n), resolve(far + 1n, 0x2000n)], { file: 't.csv' })).rejects.toThrow(
      /^t\.csv: row 3: t_ns 9007199254740992 is 2\^53 ns \(104 days\) or more from the first row's 0/,
    );
    await expect(run([vcpu(1, 0), fault(-far, 1, 0x1000n)], { file: 't.csv' })).rejects.toThrow(/row 2: t_ns -9007199254740992 is 2\^53 ns/);
  });

  it('a figure that adds up to 2^53 ns or more, though every time is in range', async () => {
    const end = 2n ** 53n - 1n;
    const rows = [vcpu(1, 0), vcpu(2, 1), vcpu(3, 2), fault(1n, 1, 0x1000n), fault(1n, 2, 0x1000n), fault(1n, 3, 0x1000n), resolve(end, 0x1000n)];
    // Each vCPU waited 2^53 - 2 ns: exact; the three together would not be.
    const r = await run(rows, { file: 't.csv' });
    expect(r.exact!.vcpu_blocktime_ns).toEqual([2 ** 53 - 2, 2 ** 53 - 2, 2 ** 53 - 2]);
    await expect(compareBatches({ pageSize: 4096 }, [toBatch(rows)], { file: 't.csv' })).rejects.toThrow(/^t\.csv: compare\.vcpu_sum\.exact_ns comes to about 2\.702e\+16, beyond 2\^53/);
  });
});
