import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { subBatch } from '../../src/trace/batch.js';
import { createTraceWriter } from '../../src/formats/write.js';
import type { TraceMeta } from '../../src/trace/schema.js';
import type { TraceFormat } from '../../src/formats/registry.js';
import { columns, readAll, sampleTrace, scratchDir } from './helpers.js';

const dir = scratchDir();
const FORMATS: Array<[TraceFormat, string]> = [
  ['arrow', 'arrow'],
  ['arrows', 'arrows'],
  ['csv', 'csv'],
  ['ndjson', 'ndjson'],
];
const META: TraceMeta = { pageSize: 2 * 1024 * 1024, vcpus: 6, startNs: -1_795_664_025_776_809_001n, source: { kind: 'sim', seed: 7, note: 'ü' } };

describe('round trip through every format', () => {
  const trace = sampleTrace(5000, 6);
  for (const [format, ext] of FORMATS) {
    it(`${format}: identical rows, including addresses above 2^63 and 64-bit times`, async () => {
      const path = join(dir, `rt.${ext}`);
      const w = await createTraceWriter(path, META, { batchRows: 1024 });
      await w.write(subBatch(trace, 0, 3000));
      await w.write(subBatch(trace, 3000, 5000));
      await w.close();
      const { rows, lengths, meta } = await readAll(path, { batchRows: 700 });
      expect(columns(rows)).toEqual(columns(trace));
      expect(Array.from(rows.addr).some((a) => a > 2n ** 63n)).toBe(true);
      if (format === 'arrow' || format === 'arrows') {
        expect(lengths).toEqual([1024, 1024, 952, 1024, 976]);
      } else {
        expect(lengths).toEqual([700, 700, 700, 700, 700, 700, 700, 100]);
      }
      expect(meta).toEqual(META);
    });
  }

  it('leaves no temporary files behind', () => {
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
