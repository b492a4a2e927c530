import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { convertTrace } from '../../src/trace/convert.js';
import { detectFormat, openTrace, sniffFormat } from '../../src/trace/open.js';
import { createTraceWriter } from '../../src/trace/write.js';
import { columns, readAll, sampleTrace, scratchDir } from './helpers.js';

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
        // NDJSON carries no metadata; every other hop keeps it.
        expect(back.meta).toEqual(from === 'ndjson' || to === 'ndjson' ? { pageSize: 4096 } : meta);
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

describe('format detection', () => {
  it('sniffs content when the name says nothing', async () => {
    const cases: Array<[string, string]> = [
      [fixture('examples/example1.csv'), 'csv'],
      [fixture('qemu/example1-7.2.log'), 'qemu-log'],
      [fixture('qemu/example1-11.1-noprefix.log'), 'qemu-log'],
      [fixture('qemu/example2-10.0-iso.log'), 'qemu-log'],
      [fixture('sample.arrow'), 'arrow'],
    ];
    for (const [src, format] of cases) {
      const anonymous = join(dir, `anonymous-${format}`);
      copyFileSync(src, anonymous);
      expect(await detectFormat(anonymous)).toBe(format);
    }
    expect(sniffFormat(Buffer.from('{"t_ns":1,"kind":"vcpu"}\n'))).toBe('ndjson');
    expect(sniffFormat(gzipSync(readFileSync(fixture('qemu/example1-7.2.log'))))).toBe('qemu-log');
    expect(sniffFormat(Buffer.from('hello world\n'))).toBeUndefined();
  });

  it('opens a QEMU trace log through the importer', async () => {
    const src = await openTrace(fixture('qemu/example1-7.2.log'), { pageSize: 4096 });
    expect(src.format).toBe('qemu-log');
    let rows = 0;
    for await (const b of src.batches()) rows += b.length;
    await src.close();
    expect(rows).toBeGreaterThan(0);
  });

  it('a file of unknown content is refused with the formats it could be', async () => {
    const path = join(dir, 'mystery');
    writeFileSync(path, 'hello world\n');
    await expect(openTrace(path)).rejects.toThrow(`${path}: cannot tell the format from the name or the content`);
  });
});
