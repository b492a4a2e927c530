import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../../src/capture/sim/capture.js';
import { SCENARIOS, type ScenarioName } from '../../../src/capture/sim/scenarios.js';
import type { SimOptions } from '../../../src/capture/sim/options.js';
import { compareBatches } from '../../../src/compare/compare.js';
import type { CompareResult } from '../../../src/compare/result.js';

async function compareScenario(scenario: ScenarioName, options: Partial<SimOptions> = {}): Promise<CompareResult> {
  const sim = createSimulator({ options: { vcpus: 4, faults: 2000, seed: 11, ...options }, scenario });
  return compareBatches(sim.meta, sim.batches());
}

/** The explanation counters `compare` names, as counts. */
function named(r: CompareResult) {
  const e = r.explanation;
  return {
    reentrant: e.reentrant.count,
    mutex_dropped: e.mutex_dropped.count,
    mutex_inflated: e.mutex_inflated.count,
    overwritten: e.overwritten.count,
    erased: e.erased,
    lost_blocked_vcpu: e.lost_blocked_vcpu,
    ignored_non_vcpu: e.ignored_non_vcpu,
  };
}

const NOTHING = { reentrant: 0, mutex_dropped: 0, mutex_inflated: 0, overwritten: 0, erased: 0, lost_blocked_vcpu: 0, ignored_non_vcpu: 0 };

describe('simulator scenarios, through compare', () => {
  it('every scenario is documented for --help and the README', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual(['clean', 'reentrant', 'late-resolve', 'received-race', 'non-vcpu', 'kvm-async-pf']);
    for (const s of SCENARIOS) {
      expect(s.summary.length).toBeGreaterThan(20);
      expect(s.divergence.length).toBeGreaterThan(20);
    }
  });

  it('clean: nothing to explain; mutex = exact, and with a millisecond clock atomic too', async () => {
    const r = await compareScenario('clean');
    expect(named(r)).toEqual(NOTHING);
    expect(r.vcpu.every((v) => v.mutex.diff_ns === 0)).toBe(true);
    expect(r.total.mutex.diff_ns).toBe(0);
    const ms = await compareScenario('clean', { clockResolutionNs: 1_000_000 });
    expect(named(ms)).toEqual(NOTHING);
    expect(ms.explanation.ms_truncation_lost_ns).toBe(0);
    expect(ms.vcpu.every((v) => v.mutex.diff_ns === 0 && v.atomic.diff_ns === 0)).toBe(true);
    expect(ms.total.atomic.diff_ns).toBe(0);
  });

  it('reentrant: both designs drop the first wait (mutex_dropped, overwritten); nothing erased or ignored', async () => {
    const r = await compareScenario('reentrant');
    const n = named(r);
    expect(n.reentrant).toBeGreaterThan(100);
    expect(n.mutex_dropped).toBe(n.reentrant);
    expect(n.overwritten).toBe(n.reentrant);
    expect({ inflated: n.mutex_inflated, erased: n.erased, lost: n.lost_blocked_vcpu, ignored: n.ignored_non_vcpu }).toEqual({ inflated: 0, erased: 0, lost: 0, ignored: 0 });
    expect(r.vcpu_sum.mutex.diff_ns).toBeLessThan(0);
    expect(r.vcpu_sum.atomic.diff_ns).toBeLessThan(0);
  });

  it('late-resolve: mutex counts the first wait in full up to its late resolve (mutex_inflated, mutex > exact)', async () => {
    const r = await compareScenario('late-resolve');
    const n = named(r);
    expect(n.mutex_inflated).toBeGreaterThan(100);
    expect(n.mutex_inflated).toBe(n.reentrant);
    expect(n.overwritten).toBe(n.reentrant);
    expect({ erased: n.erased, lost: n.lost_blocked_vcpu, ignored: n.ignored_non_vcpu }).toEqual({ erased: 0, lost: 0, ignored: 0 });
    expect(r.vcpu_sum.mutex.diff_ns).toBeGreaterThan(0);
  });

  it('received-race: atomic erases faults on received pages and loses still-blocked vCPUs', async () => {
    const r = await compareScenario('received-race');
    const n = named(r);
    expect(n.erased).toBeGreaterThan(100);
    expect(n.lost_blocked_vcpu).toBeGreaterThan(20);
    expect(n.lost_blocked_vcpu).toBeLessThanOrEqual(n.erased);
    expect(r.faults.already_received).toBe(n.erased);
    expect(n.ignored_non_vcpu).toBe(0);
  });

  it('non-vcpu: atomic ignores other threads; mutex and exact count them apart and agree', async () => {
    const r = await compareScenario('non-vcpu');
    const n = named(r);
    expect(n.ignored_non_vcpu).toBeGreaterThan(100);
    expect(r.faults.non_vcpu).toBe(n.ignored_non_vcpu);
    expect(r.faults.no_tid).toBeGreaterThan(0);
    expect({ ...n, ignored_non_vcpu: 0 }).toEqual(NOTHING);
    expect(r.vcpu.every((v) => v.mutex.diff_ns === 0)).toBe(true);
    expect(r.results.exact.non_vcpu_blocktime_ns).toBe(r.results.mutex.non_vcpu_blocktime_ns);
  });

  it('kvm-async-pf: most faults come from other threads; vCPUs rarely block', async () => {
    const r = await compareScenario('kvm-async-pf');
    const n = named(r);
    expect(r.faults.non_vcpu).toBeGreaterThan(4 * r.faults.counted);
    expect(n.ignored_non_vcpu).toBe(r.faults.non_vcpu);
    expect({ ...n, ignored_non_vcpu: 0 }).toEqual(NOTHING);
    // The vCPUs together wait far less than the threads that take their faults.
    expect(r.vcpu_sum.exact_ns).toBeLessThan(r.results.mutex.non_vcpu_blocktime_ns / 4);
  });
});
