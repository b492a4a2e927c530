import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTraceWriter } from '../../src/formats/write.js';
import { FORMATS, FORMAT_NAMES, READABLE_FORMATS, WRITABLE_FORMATS, formatFromPath, formatNamed, sniffContent, sniffFormat } from '../../src/formats/registry.js';
import { sampleTrace, scratchDir } from '../trace/helpers.js';
import { gzip, zstdStored } from './compress.js';

const dir = scratchDir();
const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const META = { pageSize: 4096, vcpus: 4 };

/** The first bytes of a trace of `rows` rows written as `ext`. */
async function headOf(ext: string): Promise<Buffer> {
  const path = join(dir, `head.${ext}`);
  const w = await createTraceWriter(path, META, { batchRows: 100 });
  await w.write(sampleTrace(300, 4));
  await w.close();
  return readFileSync(path).subarray(0, 4096);
}

describe('the format registry', () => {
  it('lists each format once, with its name endings; every format is read, only Parquet and QEMU logs are not written', () => {
    expect(FORMAT_NAMES).toEqual(['arrow', 'arrows', 'csv', 'ndjson', 'parquet', 'qemu-log']);
    expect(READABLE_FORMATS).toEqual(['arrow', 'arrows', 'csv', 'ndjson', 'parquet', 'qemu-log']);
    expect(WRITABLE_FORMATS).toEqual(['arrow', 'arrows', 'csv', 'ndjson']);
    const endings = FORMATS.flatMap((f) => f.extensions);
    expect(new Set(endings).size).toBe(endings.length);
    expect(formatNamed('QEMU-Log')).toBe('qemu-log');
    expect(formatNamed('xml')).toBeUndefined();
  });

  it('tells a format by its name, a compression ending aside', () => {
    const names: Array<[string, string | undefined]> = [
      ['t.arrow', 'arrow'],
      ['T.ARROWS', 'arrows'],
      ['t.csv', 'csv'],
      ['t.ndjson', 'ndjson'],
      ['t.jsonl', 'ndjson'],
      ['t.parquet', 'parquet'],
      ['dst-trace.log', 'qemu-log'],
      ['t.arrows.gz', 'arrows'],
      ['t.csv.zst', 'csv'],
      ['t.ndjson.zstd', 'ndjson'],
      ['dst-trace.log.gz', 'qemu-log'],
      ['t.gz', undefined],
      ['t.txt', undefined],
    ];
    for (const [name, format] of names) expect([name, formatFromPath(name)]).toEqual([name, format]);
  });

  it('sniffs every format by its first bytes, plain, gzip or zstd', async () => {
    const heads: Array<[Uint8Array, string]> = [
      [await headOf('arrow'), 'arrow'],
      [await headOf('arrows'), 'arrows'],
      [await headOf('csv'), 'csv'],
      [await headOf('ndjson'), 'ndjson'],
      [Buffer.from('PAR1\x15\x04'), 'parquet'],
      [readFileSync(fixture('qemu/example1-7.2.log')), 'qemu-log'],
      [readFileSync(fixture('qemu/example1-11.1-noprefix.log')), 'qemu-log'],
      [readFileSync(fixture('qemu/example2-10.0-iso.log')), 'qemu-log'],
    ];
    for (const [head, format] of heads) {
      expect(sniffContent(head)).toBe(format);
      expect(sniffFormat(head)).toBe(format);
      expect(sniffFormat(gzip(head))).toBe(format);
      expect(sniffFormat(zstdStored(head))).toBe(format);
    }
    expect(sniffFormat(readFileSync(fixture('qemu/example3-11.1.log.zst')))).toBe('qemu-log');
  });

  it('claims neither text it does not know, nor nothing', () => {
    expect(sniffFormat(Buffer.from('hello world\n'))).toBeUndefined();
    expect(sniffFormat(Buffer.from('# only a comment\n\n'))).toBeUndefined();
    expect(sniffFormat(new Uint8Array(0))).toBeUndefined();
  });
});
