import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/capture/sim/capture.js';
import { replayBatches } from '../../src/replay/engine.js';
import type { AnalysisResult } from '../../src/replay/result.js';
import { simRequestArb } from './sim-arbitrary.js';

describe('mutex and exact on simulated traces', () => {
  it('with re-entrant and duplicate faults off, mutex and exact agree per vCPU and in total, whatever else the mix holds', async () => {
    await fc.assert(
      fc.asyncProperty(simRequestArb({ noReentrant: true }), async (request) => {
        const sim = createSimulator(request);
        const { results } = await replayBatches(sim.meta, sim.batches(), ['mutex', 'exact']);
        const { mutex, exact } = results as { mutex: AnalysisResult; exact: AnalysisResult };
        expect(exact.vcpu_blocktime_ns).toEqual(mutex.vcpu_blocktime_ns);
        expect(exact.total_blocktime_ns).toBe(mutex.total_blocktime_ns);
        expect(exact.vcpu_faults).toEqual(mutex.vcpu_faults);
        expect(exact.non_vcpu_blocktime_ns).toBe(mutex.non_vcpu_blocktime_ns);
        expect(exact.faults).toEqual(mutex.faults);
        // The simulator resolves every fault it records, and never goes back in time.
        expect(mutex.faults.unresolved).toBe(0);
        expect(mutex.anomalies.negative_duration).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('with re-entrant faults resolved in the usual order, mutex drops waits but never invents any: exact >= mutex per vCPU', async () => {
    await fc.assert(
      fc.asyncProperty(simRequestArb(), async (request) => {
        // A late resolve or a fault on a received page lets mutex count past the thread's next fault: excluded here.
        Object.assign(request.options, { lateResolve: 0, duplicate: 0, received: 0 });
        const sim = createSimulator(request);
        const { results } = await replayBatches(sim.meta, sim.batches(), ['mutex', 'exact']);
        const { mutex, exact } = results as { mutex: AnalysisResult; exact: AnalysisResult };
        mutex.vcpu_blocktime_ns.forEach((m, c) => expect(exact.vcpu_blocktime_ns[c]!).toBeGreaterThanOrEqual(m));
      }),
      { numRuns: 30 },
    );
  });
});
