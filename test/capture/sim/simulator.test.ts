import { describe, expect, it } from 'vitest';
import { createSimulator, type SimRequest } from '../../../src/capture/sim/capture.js';
import { resolveSimOptions, type SimOptions } from '../../../src/capture/sim/options.js';
import type { TraceBatch } from '../../../src/trace/batch.js';
import { Kind } from '../../../src/trace/schema.js';
import { traceShape } from './trace-shape.js';

function run(options: Partial<SimOptions>, scenario?: SimRequest['scenario']) {
  const sim = createSimulator({ options, ...(scenario ? { scenario } : {}) });
  const batches = [...sim.batches()];
  return { sim, batches, shape: traceShape(batches, sim.meta.pageSize) };
}

/** Each column over all batches, as bytes: equal iff the traces are identical row for row, however batched. */
function bytesOf(batches: TraceBatch[]): Buffer {
  const columns = (['t', 'kind', 'tid', 'addr', 'cpu'] as const).map((c) => Buffer.concat(batches.map((b) => Buffer.from(b[c].buffer, b[c].byteOffset, b[c].byteLength))));
  return Buffer.concat(columns);
}

const NONE = { reentrant: 0, lateResolve: 0, duplicate: 0, received: 0, nonVcpu: 0, tid0: 0 };

describe('simulator', () => {
  it('is deterministic: the same seed gives the same rows, another seed other rows', () => {
    const a = run({ seed: 7, faults: 3000 });
    const b = run({ seed: 7, faults: 3000 });
    const c = run({ seed: 8, faults: 3000 });
    expect(bytesOf(a.batches).equals(bytesOf(b.batches))).toBe(true);
    expect(a.sim.meta).toEqual(b.sim.meta);
    expect(bytesOf(a.batches).equals(bytesOf(c.batches))).toBe(false);
  });

  it('writes the vcpu rows first, one per vCPU, then faults and resolves in time order', () => {
    const { batches, shape, sim } = run({ vcpus: 3, faults: 500 });
    expect(shape.vcpuRows).toBe(3);
    expect(shape.cpus).toEqual([0, 1, 2]);
    const first = batches[0]!;
    expect([...first.kind.subarray(0, 3)]).toEqual([Kind.vcpu, Kind.vcpu, Kind.vcpu]);
    expect([...first.kind.subarray(3)].includes(Kind.vcpu)).toBe(false);
    expect(shape.timesNonDecreasing).toBe(true);
    expect(sim.meta.vcpus).toBe(3);
    expect(sim.meta.startNs).toBe(shape.firstT);
  });

  it('uses a boot-like ns clock past 2^32 and 64-bit addresses inside guest memory', () => {
    const memoryBytes = 2 ** 30;
    const { shape, batches } = run({ faults: 1000, memoryBytes });
    expect(shape.firstT > 2n ** 32n).toBe(true);
    expect(shape.minAddr > 2n ** 32n).toBe(true);
    expect(shape.maxAddr - shape.minAddr < BigInt(memoryBytes)).toBe(true);
    // Resolves name a page; faults any 8-byte-aligned address in it.
    const b = batches[0]!;
    for (let i = 0; i < b.length; i++) {
      if (b.kind[i] === Kind.resolve) expect(b.addr[i]! % 4096n).toBe(0n);
      if (b.kind[i] === Kind.fault) expect(b.addr[i]! % 8n).toBe(0n);
    }
  });

  it('--faults N gives exactly N fault rows, whatever the mix', () => {
    for (const faults of [0, 1, 777, 2500]) {
      expect(run({ faults, duplicate: 0.2, received: 0.1, nonVcpu: 0.2, tid0: 0.1 }).shape.faults).toBe(faults);
    }
  });

  it('stops early, with every fault resolved, when guest memory runs out', () => {
    const { shape } = run({ faults: 1000, memoryBytes: 64 * 4096, bandwidth: 0, ...NONE });
    expect(shape.faults).toBe(64);
    expect(shape.resolves).toBe(64);
    expect(shape.unresolved).toBe(0);
    expect(shape.doubleResolves).toBe(0);
  });

  it('--duration bounds the simulated time during which threads fault', () => {
    const { shape } = run({ durationNs: 20e6 });
    const span = Number(shape.lastT - shape.firstT);
    expect(span).toBeGreaterThan(19e6);
    // Outstanding requests are still resolved after the end: a few latencies at most.
    expect(span).toBeLessThan(25e6);
    expect(shape.unresolved).toBe(0);
  });

  it('a rate of zero gives none of its kind, and a clean run has no irregularity at all', () => {
    const all = { faults: 4000, reentrant: 0.4, lateResolve: 0.5, duplicate: 0.1, received: 0.1, nonVcpu: 0.2, tid0: 0.05 };
    const full = run(all).shape;
    expect(full.reentrant).toBeGreaterThan(0);
    expect(full.lateResolves).toBeGreaterThan(0);
    expect(full.duplicates).toBeGreaterThan(0);
    expect(full.receivedFaults).toBeGreaterThan(0);
    expect(full.receivedWhileBlocked).toBeGreaterThan(0);
    expect(full.nonVcpuFaults).toBeGreaterThan(0);
    expect(full.tid0Faults).toBeGreaterThan(0);

    const noReentrant = run({ ...all, reentrant: 0 }).shape;
    expect(noReentrant.reentrant).toBe(0);
    expect(noReentrant.lateResolves).toBe(0);
    expect(noReentrant.receivedWhileBlocked).toBe(0);
    expect(run({ ...all, lateResolve: 0 }).shape.lateResolves).toBe(0);
    expect(run({ ...all, duplicate: 0 }).shape.duplicates).toBe(0);
    expect(run({ ...all, received: 0 }).shape.receivedFaults).toBe(0);
    expect(run({ ...all, nonVcpu: 0 }).shape.nonVcpuFaults).toBe(0);
    expect(run({ ...all, tid0: 0 }).shape.tid0Faults).toBe(0);

    const clean = run({ faults: 4000, ...NONE }).shape;
    expect([clean.reentrant, clean.lateResolves, clean.duplicates, clean.receivedFaults, clean.nonVcpuFaults, clean.tid0Faults]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(clean.unresolved).toBe(0);
    expect(clean.doubleResolves).toBe(0);
  });

  it('without late resolves, a re-entrant vCPU\'s first page is accounted first even when requests are fast', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const shape = run({ seed, faults: 1500, reentrant: 0.6, lateResolve: 0, duplicate: 0.2, latencyNs: 2_000, latencySpread: 1.5, thinkNs: 1_000 }).shape;
      expect(shape.reentrant, `seed ${seed}`).toBeGreaterThan(0);
      expect(shape.lateResolves, `seed ${seed}`).toBe(0);
    }
  });

  it('the default mix is realistic: about a third of vCPU faults re-entrant, some of each irregularity', () => {
    const { shape } = run({ faults: 6000 });
    expect(shape.reentrant / shape.countedVcpuFaults).toBeGreaterThan(0.2);
    expect(shape.reentrant / shape.countedVcpuFaults).toBeLessThan(0.4);
    for (const k of ['lateResolves', 'duplicates', 'receivedFaults', 'nonVcpuFaults', 'tid0Faults', 'unrequestedResolves'] as const) {
      expect(shape[k], k).toBeGreaterThan(0);
    }
  });

  it('pattern seq touches pages in ascending order', () => {
    const { shape } = run({ faults: 2000, pattern: 'seq', ...NONE, nonVcpu: 0.2 });
    const pages = shape.faultPages;
    for (let i = 1; i < pages.length; i++) expect(pages[i]! > pages[i - 1]!).toBe(true);
  });

  it('pattern hotset concentrates faults; random spreads them', () => {
    const memoryBytes = 2 ** 30;
    const spread = (pattern: 'hotset' | 'random') => {
      const { shape } = run({ faults: 2000, pattern, memoryBytes, bandwidth: 0 });
      const sixteenth = BigInt(memoryBytes / 16);
      const buckets = new Set(shape.faultPages.map((p) => (p - shape.minAddr) / sixteenth));
      const counts = new Map<bigint, number>();
      for (const p of shape.faultPages) counts.set((p - shape.minAddr) / sixteenth, (counts.get((p - shape.minAddr) / sixteenth) ?? 0) + 1);
      return { buckets: buckets.size, top: Math.max(...counts.values()) / shape.faults };
    };
    expect(spread('random').top).toBeLessThan(0.15);
    expect(spread('hotset').top).toBeGreaterThan(0.4);
  });

  it('--latency with no spread gives every clean fault the same wait', () => {
    const { batches } = run({ faults: 500, latencyNs: 1_000_000, latencySpread: 0, bandwidth: 0, ...NONE });
    const faultAt = new Map<bigint, bigint>();
    const waits: number[] = [];
    for (const b of batches)
      for (let i = 0; i < b.length; i++) {
        const page = b.addr[i]! & ~4095n;
        if (b.kind[i] === Kind.fault) faultAt.set(page, b.t[i]!);
        if (b.kind[i] === Kind.resolve) waits.push(Number(b.t[i]! - faultAt.get(page)!));
      }
    expect(waits).toHaveLength(500);
    // Request latency, then the resolve thread accounts it 1-5 us after placing the page.
    for (const w of waits) expect(w >= 1_000_000 && w <= 1_005_000).toBe(true);
  });

  it('--bandwidth sets the background stream; 0 turns it off', () => {
    const pageSize = 4096;
    const bw = 40 * 2 ** 20;
    const on = run({ durationNs: 50e6, bandwidth: bw, ...NONE }).shape;
    const expected = (bw / pageSize) * 0.05;
    expect(Math.abs(on.unrequestedResolves - expected)).toBeLessThanOrEqual(1);
    expect(run({ durationNs: 50e6, bandwidth: 0, ...NONE }).shape.unrequestedResolves).toBe(0);
  });

  it('--page-size: resolves are aligned to it and the metadata says it', () => {
    const pageSize = 2 * 2 ** 20;
    const { sim, batches } = run({ faults: 300, pageSize, memoryBytes: 2 ** 32 });
    expect(sim.meta.pageSize).toBe(pageSize);
    for (const b of batches) for (let i = 0; i < b.length; i++) if (b.kind[i] === Kind.resolve) expect(b.addr[i]! % BigInt(pageSize)).toBe(0n);
  });

  it('--clock-resolution floors every timestamp to it', () => {
    const { batches } = run({ faults: 500, clockResolutionNs: 1_000_000 });
    for (const b of batches) for (const t of b.t) expect(t % 1_000_000n).toBe(0n);
  });

  it('non-vCPU threads take about the requested share of faults', () => {
    const { shape } = run({ faults: 6000, ...NONE, nonVcpu: 0.3, nonVcpuThreads: 3 });
    const share = shape.nonVcpuFaults / shape.faults;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it('yields batches of exactly batchRows rows (the last one shorter), numbered consecutively', () => {
    const { batches, shape } = run({ faults: 1000, batchRows: 97 });
    let next = 0;
    batches.forEach((b, k) => {
      expect(b.firstRow).toBe(next);
      if (k < batches.length - 1) expect(b.length).toBe(97);
      next += b.length;
    });
    expect(next).toBe(shape.rows);
    expect(bytesOf(batches).equals(bytesOf(run({ faults: 1000 }).batches))).toBe(true);
  });

  it('reports progress once per batch', () => {
    const sim = createSimulator({ options: { faults: 1000, batchRows: 500 } });
    const seen: number[] = [];
    const rows = [...sim.batches((r) => seen.push(r))].reduce((n, b) => n + b.length, 0);
    expect(seen.at(-1)).toBe(rows);
    expect(seen.length).toBe(Math.ceil(rows / 500));
  });

  it('records its options and scenario in the trace metadata', () => {
    const sim = createSimulator({ options: { seed: 3, faults: 10 }, scenario: 'reentrant' });
    expect(sim.meta.source).toMatchObject({ kind: 'sim', scenario: 'reentrant', seed: 3, faults: 10, reentrant: 0.5, duplicate: 0 });
  });

  it('rejects options it cannot honor, naming them', () => {
    expect(() => resolveSimOptions({ vcpus: 0 })).toThrow(/^--vcpus: expected a whole number from 1/);
    expect(() => resolveSimOptions({ pageSize: 3000 })).toThrow(/^--page-size: expected a power of two/);
    expect(() => resolveSimOptions({ memoryBytes: 4096 * 10 + 1 })).toThrow(/^--memory: expected a multiple of the page size/);
    expect(() => resolveSimOptions({ reentrant: 2 })).toThrow(/^--reentrant: expected a fraction/);
    expect(() => resolveSimOptions({ nonVcpu: 1 })).toThrow(/^--non-vcpu: expected a fraction from 0 to below 1/);
  });
});
