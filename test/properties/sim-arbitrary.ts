/**
 * fast-check arbitraries of simulator requests: a seed and a random mix of
 * the knobs, small enough that a property runs many of them in a few seconds.
 */
import fc from 'fast-check';
import type { SimRequest } from '../../src/capture/sim/capture.js';
import type { SimOptions } from '../../src/capture/sim/options.js';

export interface SimArbOptions {
  /** Keep re-entrant and duplicate faults out (the condition under which mutex and exact agree). */
  noReentrant?: boolean;
  maxFaults?: number;
}

export function simRequestArb(shape: SimArbOptions = {}): fc.Arbitrary<SimRequest> {
  const rate = (max: number) => fc.oneof(fc.constant(0), fc.double({ min: 0, max, noNaN: true }));
  return fc
    .record({
      seed: fc.nat(2 ** 32 - 1),
      vcpus: fc.integer({ min: 1, max: 6 }),
      faults: fc.integer({ min: 0, max: shape.maxFaults ?? 600 }),
      memoryPages: fc.oneof(fc.constant(1 << 18), fc.integer({ min: 16, max: 4096 })),
      pattern: fc.constantFrom<SimOptions['pattern']>('seq', 'random', 'hotset'),
      latencyNs: fc.integer({ min: 1_000, max: 3_000_000 }),
      latencySpread: fc.constantFrom(0, 0.5, 1.5),
      thinkNs: fc.constantFrom(0, 10_000, 200_000),
      bandwidth: fc.constantFrom(0, 20 * 2 ** 20, 400 * 2 ** 20),
      reentrant: shape.noReentrant ? fc.constant(0) : rate(0.6),
      lateResolve: rate(1),
      duplicate: shape.noReentrant ? fc.constant(0) : rate(0.2),
      received: rate(0.3),
      nonVcpu: rate(0.5),
      nonVcpuThreads: fc.integer({ min: 1, max: 4 }),
      tid0: rate(0.1),
      clockResolutionNs: fc.constantFrom(1, 1_000, 1_000_000),
    })
    .map(({ memoryPages, ...o }) => ({ options: { ...o, memoryBytes: memoryPages * 4096 } }));
}
