import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, simulateToWriter } from '../../src/capture/sim/capture.js';
import { replayBatches, replayTrace } from '../../src/replay/engine.js';
import { VARIANTS } from '../../src/replay/result.js';
import { openTrace } from '../../src/formats/open.js';
import { convertTrace } from '../../src/formats/convert.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { exportTrace } from '../../src/sql/export.js';
import type { TraceMeta } from '../../src/trace/schema.js';
import { simRequestArb } from './sim-arbitrary.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blocktime-props-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function replayFile(path: string, meta: TraceMeta, batchRows?: number) {
  // The trace's own metadata given again as options, as a user of a file written without it would: the figures are the same.
  const source = await openTrace(path, { pageSize: meta.pageSize, vcpus: meta.vcpus!, startNs: meta.startNs!, ...(batchRows ? { batchRows } : {}) });
  try {
    return (await replayTrace(source, [...VARIANTS])).results;
  } finally {
    await source.close();
  }
}

describe('one simulated trace, every file format and batch size', () => {
  it('Arrow file, Arrow stream, CSV and NDJSON give identical results for every variant', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 400 }), async (request) => {
        const sim = createSimulator(request);
        const expected = (await replayBatches(sim.meta, sim.batches(), [...VARIANTS])).results;
        run++;
        for (const ext of ['arrow', 'arrows', 'csv', 'ndjson']) {
          const path = join(dir, `t${run}.${ext}`);
          await simulateToWriter(request, (meta, batchRows) => createTraceWriter(path, meta, { batchRows }));
          expect(await replayFile(path, sim.meta), ext).toEqual(expected);
        }
      }),
      { numRuns: 6 },
    );
  });

  it('export to Parquet, then read back with nothing but the file: identical results for every variant', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 400 }), async (request) => {
        const sim = createSimulator(request);
        const expected = (await replayBatches(sim.meta, sim.batches(), [...VARIANTS])).results;
        run++;
        const arrow = join(dir, `e${run}.arrow`);
        const parquet = join(dir, `e${run}.parquet`);
        await simulateToWriter(request, (meta, batchRows) => createTraceWriter(arrow, meta, { batchRows }));
        await exportTrace(arrow, parquet);
        // No options: the metadata (N, page size, start, source) travels in the file.
        const source = await openTrace(parquet);
        try {
          expect(source.meta).toEqual(sim.meta);
          expect((await replayTrace(source, [...VARIANTS])).results).toEqual(expected);
        } finally {
          await source.close();
        }
      }),
      { numRuns: 6 },
    );
  });

  it('any batch size, in the simulator, the writer or the reader, gives identical rows and results', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(simRequestArb({ maxFaults: 150 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 16, max: 400 }), async (request, simRows, fileRows) => {
        const base = createSimulator(request);
        const expected = (await replayBatches(base.meta, base.batches(), [...VARIANTS])).results;
        const small = createSimulator({ ...request, options: { ...request.options, batchRows: simRows } });
        expect((await replayBatches(small.meta, small.batches(), [...VARIANTS])).results).toEqual(expected);
        run++;
        const arrow = join(dir, `b${run}.arrows`);
        const csv = join(dir, `b${run}.csv`);
        await simulateToWriter(request, (meta) => createTraceWriter(arrow, meta, { batchRows: fileRows }));
        await simulateToWriter(request, (meta) => createTraceWriter(csv, meta));
        expect(await replayFile(arrow, base.meta)).toEqual(expected);
        expect(await replayFile(csv, base.meta, fileRows)).toEqual(expected);
      }),
      { numRuns: 6 },
    );
  });
});

describe('any chain of conversions', () => {
  const FORMATS = ['arrow', 'arrows', 'csv', 'ndjson'] as const;
  /** The simulator's requests at several page sizes: the metadata a lost conversion would fall back from. */
  const request = fc
    .tuple(simRequestArb({ maxFaults: 300 }), fc.constantFrom(4096, 65536, 2097152))
    .map(([r, pageSize]) => ({ ...r, options: { ...r.options, pageSize, memoryBytes: (r.options.memoryBytes! / 4096) * pageSize } }));

  it('keeps the metadata and gives identical results for every variant, with no option given', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(request, fc.array(fc.constantFrom(...FORMATS), { minLength: 2, maxLength: 5 }), async (req, chain) => {
        const sim = createSimulator(req);
        const expected = (await replayBatches(sim.meta, sim.batches(), [...VARIANTS])).results;
        run++;
        const paths = chain.map((ext, k) => join(dir, `chain${run}-${k}.${ext}`));
        await simulateToWriter(req, (meta, batchRows) => createTraceWriter(paths[0]!, meta, { batchRows }));
        for (let k = 1; k < paths.length; k++) await convertTrace(paths[k - 1]!, paths[k]!);
        const source = await openTrace(paths.at(-1)!);
        try {
          expect(source.meta).toEqual(sim.meta);
          expect((await replayTrace(source, [...VARIANTS])).results, chain.join(' -> ')).toEqual(expected);
        } finally {
          await source.close();
        }
      }),
      { numRuns: 8 },
    );
  });
});
