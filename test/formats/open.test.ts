import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importQemuLog } from '../../src/formats/import-log.js';
import { openTrace, withOverrides } from '../../src/formats/open.js';
import { replayTrace } from '../../src/replay/engine.js';
import { exportTrace } from '../../src/sql/export.js';
import { scratchDir } from '../trace/helpers.js';

const dir = scratchDir();
const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));

async function formatOf(path: string): Promise<string> {
  const src = await openTrace(path);
  await src.close();
  return src.format;
}

describe('format detection', () => {
  it('sniffs content when the name says nothing', async () => {
    const cases: Array<[string, string]> = [
      [fixture('examples/example1.csv'), 'csv'],
      [fixture('qemu/example1-7.2.log'), 'qemu-log'],
      [fixture('qemu/example1-11.1-noprefix.log'), 'qemu-log'],
      [fixture('qemu/example2-10.0-iso.log'), 'qemu-log'],
      [fixture('qemu/example3-11.1.log.zst'), 'qemu-log'],
      [fixture('sample.arrow'), 'arrow'],
    ];
    for (const [src, format] of cases) {
      const anonymous = join(dir, `anonymous-${format}-${src.length}`);
      copyFileSync(src, anonymous);
      expect(await formatOf(anonymous)).toBe(format);
    }
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
    await expect(openTrace(path)).rejects.toThrow(
      `${path}: cannot tell the format from the name or the content; expected Arrow IPC file, Arrow IPC stream, CSV, NDJSON, Parquet or QEMU trace log (or --input-format)`,
    );
    const empty = join(dir, 'nothing');
    writeFileSync(empty, '');
    await expect(openTrace(empty)).rejects.toThrow(`${empty}: empty file; expected a trace`);
  });

  it('a Parquet file is told by its magic when the name says nothing; one that is not Parquet inside is refused as such', async () => {
    const parquet = join(dir, 'anonymous-parquet');
    await exportTrace(fixture('sample.arrow'), join(dir, 'sample.parquet'));
    copyFileSync(join(dir, 'sample.parquet'), parquet);
    expect(await formatOf(parquet)).toBe('parquet');
    const path = join(dir, 't.parquet');
    writeFileSync(path, 'PAR1');
    await expect(openTrace(path)).rejects.toThrow(`${path}: cannot read as Parquet: `);
  });
});

describe('a QEMU log goes through the validator every reader uses', () => {
  const log = fixture('qemu/example1-7.2.log');
  const tooFew = `${log}: row 3: vcpu row with cpu 2; expected a cpu index below the trace's 2 vCPUs`;

  it('its batches', async () => {
    const src = await openTrace(log, { vcpus: 2 });
    await expect(async () => {
      for await (const _ of src.batches());
    }).rejects.toThrow(tooFew);
  });

  it('its rows with QEMU accounting beside them, and so its import', async () => {
    const src = await openTrace(log, { format: 'qemu-log', vcpus: 2 });
    await expect(async () => {
      for await (const _ of src.qemu.pairs());
    }).rejects.toThrow(tooFew);
    const out = join(dir, 'never-imported.arrow');
    await expect(importQemuLog(log, out, { vcpus: 2 })).rejects.toThrow(tooFew);
    expect(readdirSync(dir).filter((f) => f.includes('never-imported'))).toEqual([]);
  });

  it('and is read once, whichever way', async () => {
    const src = await openTrace(log, { format: 'qemu-log' });
    for await (const _ of src.qemu.pairs());
    expect(() => src.batches()).toThrow('a trace source is read once');
  });
});

describe('the vCPU count and page size are applied where the trace is opened', () => {
  it('the source carries them, and the replay reads them there', async () => {
    const src = await openTrace(fixture('examples/example1.csv'), { vcpus: 4, pageSize: 8192 });
    expect(src.meta).toMatchObject({ vcpus: 4, pageSize: 8192 });
    const { results } = await replayTrace(src, ['exact']);
    expect([results.exact!.vcpus, results.exact!.page_size]).toEqual([4, 8192]);
  });

  it('a source opened earlier takes them the same way', async () => {
    const src = withOverrides(await openTrace(fixture('examples/example1.csv')), { vcpus: 3 });
    expect(src.meta.vcpus).toBe(3);
    const { results } = await replayTrace(src, ['mutex']);
    expect(results.mutex!.vcpus).toBe(3);
    await src.close();
  });
});
