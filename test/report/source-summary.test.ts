import { describe, it, expect } from 'vitest';
import { describeSource } from '../../src/report/source-summary.js';

describe('describeSource', () => {
  it('reads the simulator settings, whichever it has', () => {
    expect(
      describeSource({ kind: 'sim', scenario: 'reentrant', seed: 3, vcpus: 4, durationNs: 2e9, memoryBytes: 2 ** 30, pattern: 'random', latencyNs: 200_000, reentrant: 0.3 }),
    ).toBe('simulator, scenario reentrant, seed 3, 4 vCPUs, 2 s, memory 1.0 GiB, pattern random, latency 200 us');
    expect(describeSource({ kind: 'sim', seed: 1 })).toBe('simulator, seed 1');
    expect(describeSource({ kind: 'sim', vcpus: 1, faults: 10_000 })).toBe('simulator, 1 vCPU, 10,000 faults');
  });

  it('reads a native capture and a QEMU log import', () => {
    expect(describeSource({ kind: 'native', vcpus: 8, resolvers: 1, duration_ns: 5e8, pattern: 'seq', latency_ns: 50_000, kernel: '6.8.0' })).toBe(
      'native capture (userfaultfd), 8 vCPUs, 1 resolver, 500 ms, pattern seq, latency 50 us, kernel 6.8.0',
    );
    expect(describeSource({ kind: 'qemu-log', file: 'dst.log', qemu: '>= 10.1', detected_from: 'events', lines: 12345, vcpus_from: 'log' })).toBe(
      'QEMU >= 10.1 log dst.log, version from events, 12,345 lines, vCPUs from log',
    );
    expect(describeSource({ kind: 'qemu-log', qemu: '<= 10.0', qemu_version: '7.2' })).toBe('QEMU 7.2 log');
  });

  it('shows an unknown source as its JSON, cut short', () => {
    expect(describeSource({ tool: 'x' })).toBe('{"tool":"x"}');
    const long = describeSource({ kind: 'other', blob: 'y'.repeat(300) });
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });
});
