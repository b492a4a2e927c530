import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LatencyCdfBuilder } from '../../../src/report/html/latency-cdf.js';

describe('LatencyCdfBuilder', () => {
  it('gives each vCPU its sorted latencies at evenly spaced ranks, the last included, across 32-bit and longer latencies', () => {
    const latency = fc.oneof(fc.nat(5000), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 2 ** 32, max: 2 ** 40 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), latency), { maxLength: 3000 }), fc.integer({ min: 1, max: 300 }), (waits, points) => {
        const b = new LatencyCdfBuilder(3);
        for (const [cpu, ns] of waits) b.add(cpu, ns);
        const got = b.finish(points);
        const want = { cpu: [] as number[], latency_ns: [] as number[], fraction: [] as number[] };
        for (let cpu = 0; cpu < 3; cpu++) {
          const sorted = waits.filter((w) => w[0] === cpu).map((w) => w[1]).sort((x, y) => x - y);
          const n = sorted.length;
          const step = Math.ceil(n / points);
          for (let rank = 1; rank <= n; rank++) {
            if (rank % step !== 0 && rank !== n) continue;
            want.cpu.push(cpu);
            want.latency_ns.push(sorted[rank - 1]!);
            want.fraction.push(rank / n);
          }
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});
