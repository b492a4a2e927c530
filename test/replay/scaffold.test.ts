import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { replayBatches } from '../../src/replay/engine.js';
import { VARIANTS } from '../../src/replay/result.js';
import { subBatch } from '../../src/trace/batch.js';
import { Kind } from '../../src/trace/schema.js';
import { toBatch, type Row } from './trace-arbitrary.js';

const vcpu = (tid: number, cpu: number): Row => ({ t: 0n, kind: Kind.vcpu, tid, addr: 0n, cpu });
const fault = (t: bigint, tid: number, addr: bigint): Row => ({ t, kind: Kind.fault, tid, addr, cpu: -1 });
const resolve = (t: bigint, addr: bigint): Row => ({ t, kind: Kind.resolve, tid: 0, addr, cpu: -1 });

/** The rows in batches of two, so that the bad row sits in a later batch than the first. */
async function replayInPairs(rows: Row[], variant: (typeof VARIANTS)[number]) {
  const whole = toBatch(rows);
  const batches = [];
  for (let i = 0; i < rows.length; i += 2) batches.push(subBatch(whole, i, Math.min(rows.length, i + 2)));
  return replayBatches({ pageSize: 4096 }, batches, [variant], { file: 't.csv' });
}

describe('the scaffold every variant shares', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: a late vcpu row and an unknown kind code are rejected with their row`, async () => {
      const head = [vcpu(1, 0), fault(1n, 1, 0x1000n), resolve(2n, 0x1000n), fault(3n, 1, 0x2000n)];
      await expect(replayInPairs([...head, vcpu(2, 1)], variant)).rejects.toThrow(InputError);
      await expect(replayInPairs([...head, vcpu(2, 1)], variant)).rejects.toThrow(/t\.csv: row 5: a vcpu row after the first fault/);
      await expect(replayInPairs([...head, { ...resolve(4n, 0x2000n), kind: 7 }], variant)).rejects.toThrow(/t\.csv: row 5: kind code 7: expected 0 \(vcpu\), 1 \(fault\) or 2 \(resolve\)/);
    });

    it(`${variant}: the common fields of the result, with N fixed by the vcpu rows of the first batch`, async () => {
      const rows = [vcpu(7, 1), vcpu(5, 0), fault(1n, 5, 0x1000n), fault(2n, 0, 0x3000n), resolve(3n, 0x1000n), resolve(4n, 0x9000n)];
      const r = (await replayInPairs(rows, variant)).results[variant]!;
      expect(r).toMatchObject({ variant, vcpus: 2, page_size: 4096, events: { vcpu: 2, fault: 2, resolve: 2 } });
      expect(r.faults.counted).toBe(r.vcpu_faults.reduce((a, b) => a + b, 0));
      expect(r.faults.no_tid).toBe(1);
      expect(r.non_vcpu_faults).toBe(r.faults.non_vcpu);
      expect(r.anomalies.resolve_without_fault).toBe(1);
      expect(r.anomalies.time_out_of_range).toBe(0);
    });
  }
});
