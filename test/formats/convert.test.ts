import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertTrace } from '../../src/formats/convert.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { columns, readAll, sampleTrace, scratchDir } from '../trace/helpers.js';

const dir = scratchDir();
const EXTS = ['arrow', 'arrows', 'csv', 'ndjson'] as const;
const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));

describe('convertTrace', () => {
  const trace = sampleTrace(2500, 5);
  const meta = { pageSize: 16384, vcpus: 5, startNs: 42n, source: { kind: 'sim' } };

  it('converts between every pair of formats, row for row', async () => {
    const origin = join(dir, 'origin.arrows');
    const w = await createTraceWriter(origin, meta, { batchRows: 999 });
    await w.write(trace);
    await w.close();
    for (const from of EXTS) {
      const input = join(dir, `in.${from}`);
      await convertTrace(origin, input);
      for (const to of EXTS) {
        const output = join(dir, `from-${from}.${to}`);
        const { rows, inFormat } = await convertTrace(input, output);
        expect([rows, inFormat]).toEqual([2500, from]);
        const back = await readAll(output);
        expect(columns(back.rows)).toEqual(columns(trace));
        // Every hop keeps the metadata.
        expect(back.meta).toEqual(meta);
      }
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--to overrides the extension; options become the written metadata', async () => {
    const input = fixture('examples/example1.csv');
    const output = join(dir, 'example1.out');
    await convertTrace(input, output, { to: 'arrows', pageSize: 2097152, vcpus: 3 });
    expect(readFileSync(output).readInt32LE(0)).toBe(-1);
    expect((await readAll(output, { format: 'arrows' })).meta).toEqual({ pageSize: 2097152, vcpus: 3 });
  });

  it('bad input leaves no output behind', async () => {
    const output = join(dir, 'never.arrow');
    await expect(convertTrace(fixture('bad/vcpu-after-fault.csv'), output)).rejects.toThrow('vcpu row after the first fault');
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });
});
