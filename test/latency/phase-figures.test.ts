import { describe, expect, it } from 'vitest';
import type { PhaseRecord } from '../../src/latency/migration-file.js';
import { RowTimes, phaseFigures, rowsBefore } from '../../src/latency/phase-figures.js';
import { allocBatch, type TraceBatch } from '../../src/trace/batch.js';
import { Kind } from '../../src/trace/schema.js';

function batch(rows: Array<[t: number, kind: number]>): TraceBatch {
  const b = allocBatch(rows.length);
  rows.forEach(([t, kind], i) => {
    b.t[i] = BigInt(t);
    b.kind[i] = kind;
  });
  return b;
}

async function* stream(...batches: TraceBatch[]): AsyncGenerator<TraceBatch> {
  for (const b of batches) yield b;
}

const state = (name: string, start: number, end: number): PhaseRecord => ({ side: 'destination', kind: 'state', name, start_ns: String(start), end_ns: String(end) });

describe('phaseFigures', () => {
  it('counts faults in each phase and replays only up to a boundary that falls among them', async () => {
    const times = new RowTimes();
    for await (const b of times.tap(stream(batch([[0, Kind.vcpu], [100, Kind.fault], [150, Kind.resolve]]), batch([[300, Kind.fault], [350, Kind.resolve]])))) void b;
    expect(times.faults).toEqual([100n, 300n]);
    expect(times.last).toBe(350n);
    const cuts: bigint[] = [];
    const figures = await phaseFigures(
      [state('active', 0, 50), { side: 'source', kind: 'marker', name: 'postcopy_start', start_ns: '60', end_ns: '60' }, state('postcopy-active', 50, 200), state('postcopy-paused', 200, 400)],
      times,
      100,
      async (cut) => {
        cuts.push(cut);
        return 40;
      },
    );
    expect(cuts).toEqual([200n]);
    expect(figures).toEqual([
      { side: 'destination', state: 'active', start_ns: '0', duration_ns: 50, faults: 0, blocktime_ns: 0 },
      { side: 'destination', state: 'postcopy-active', start_ns: '50', duration_ns: 150, faults: 1, blocktime_ns: 40 },
      { side: 'destination', state: 'postcopy-paused', start_ns: '200', duration_ns: 200, faults: 1, blocktime_ns: 60 },
    ]);
  });

  it('rowsBefore cuts the stream at the first row at or after the boundary', async () => {
    const out: number[] = [];
    for await (const b of rowsBefore(stream(batch([[1, 1], [2, 1]]), batch([[3, 1], [5, 1], [4, 1]]), batch([[1, 1]])), 5n)) out.push(...Array.from(b.t, Number));
    expect(out).toEqual([1, 2, 3]);
  });
});
