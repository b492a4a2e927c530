import { describe, expect, it } from 'vitest';
import { compareTrace } from '../../src/compare/compare.js';
import { openTrace } from '../../src/formats/open.js';
import { runFleet } from '../../src/fleet/run.js';
import { rankTraces } from '../../src/fleet/sort.js';
import { summarizeFleet } from '../../src/fleet/summary.js';
import type { TraceDone } from '../../src/fleet/trace-task.js';
import { replayTrace } from '../../src/replay/engine.js';
import { suiteDir } from '../tmp.js';
import { makeFleet } from './fleet-dir.js';

const fleet = await makeFleet(suiteDir('blocktime-fleet-run-'));

async function single<T>(path: string, f: (s: Awaited<ReturnType<typeof openTrace>>) => Promise<T>): Promise<T> {
  const source = await openTrace(path);
  try {
    return await f(source);
  } finally {
    await source.close();
  }
}

describe('runFleet (on the main thread, as from the sources)', () => {
  it("gives each trace the single-trace result, the failing one its one-line error, in the order named, whatever --jobs", async () => {
    const seen: number[] = [];
    const outcomes = await runFleet(fleet.traces, { mode: 'analyze', variant: 'mutex', explain: 0, open: {} }, { jobs: 3, onOutcome: (_o, i) => seen.push(i) });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.map((o) => o.trace)).toEqual(fleet.traces);
    for (const o of outcomes) {
      if (o.trace === fleet.bad) {
        expect(o).toMatchObject({ ok: false, exit_code: 2 });
        expect(o.ok ? '' : o.error).toMatch(/^.*d-bad\.csv: line \d+: .*expected/);
        continue;
      }
      expect(o.ok).toBe(true);
      const done = o as TraceDone;
      const alone = await single(o.trace, (s) => replayTrace(s, ['mutex', 'exact']));
      expect(done.result).toEqual(alone.results.mutex);
      expect(done.fault_p99_ns).toBe(alone.results.exact!.latency!.overall.p99_ns);
      expect(done.trace_meta.vcpus).toBe(alone.results.mutex!.vcpus);
    }
    const one = await runFleet(fleet.traces, { mode: 'analyze', variant: 'mutex', explain: 0, open: {} }, { jobs: 1 });
    expect(one).toEqual(outcomes);
  });

  it('compares each trace as compare does, and says where each came from', async () => {
    const outcomes = await runFleet(fleet.traces, { mode: 'compare', variant: 'exact', explain: 2, open: {} }, { jobs: 2 });
    const done = outcomes.filter((o): o is TraceDone => o.ok);
    expect(done).toHaveLength(4);
    for (const o of done) expect(o.result).toEqual(await single(o.trace, (s) => compareTrace(s, { explain: 2 })));
    expect(done.map((o) => o.trace_meta.source)).toEqual(['sim seed 1', 'sim seed 2', 'QEMU >= 10.1', 'sim seed 3']);
    expect(done.map((o) => o.trace_meta.format)).toEqual(['arrow', 'csv', 'qemu-log', 'ndjson']);
    const summary = summarizeFleet(outcomes);
    expect(summary).toMatchObject({ traces: 5, failed: 1 });
    expect(summary.error?.atomic.vcpu_sum_ns.max).toBeLessThanOrEqual(0);
    const byTotal = rankTraces(done, 'total').map((r) => r.figures.total_ns);
    expect(byTotal).toEqual([...byTotal].sort((a, b) => b - a));
    expect(rankTraces(done, 'vcpus', 2).map((r) => r.outcome.trace_meta.vcpus)).toEqual([8, 4]);
    expect(rankTraces(done, 'file').map((r) => r.outcome.trace)).toEqual(done.map((o) => o.trace).sort());
  });
});
