import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, Int32, Int64, RecordBatch, Schema, Struct, Table, Uint32, Uint64, Uint8, makeData, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { subBatch } from '../../src/trace/batch.js';
import { openTrace } from '../../src/formats/open.js';
import { META } from '../../src/trace/schema.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { openArrowPipe } from '../../src/trace/arrow-reader.js';
import { TraceValidator } from '../../src/trace/validate.js';
import { columns, concat, readAll, sampleTrace, scratchDir } from './helpers.js';

const dir = scratchDir();

describe('Arrow IPC', () => {
  it('writes a stream incrementally, one record batch per write, and reads it back batch by batch', async () => {
    const path = join(dir, 'many.arrows');
    const trace = sampleTrace(20_000, 8);
    const w = await createTraceWriter(path, { pageSize: 4096 });
    const sizes: number[] = [];
    for (let start = 0, k = 1; start < trace.length; start += k, k = (k * 7) % 997 + 1) {
      const end = Math.min(trace.length, start + k);
      await w.write(subBatch(trace, start, end));
      sizes.push(end - start);
    }
    await w.close();
    const src = await openTrace(path);
    const seen: number[] = [];
    let firstRow = 0;
    for await (const b of src.batches()) {
      expect(b.firstRow).toBe(firstRow);
      firstRow += b.length;
      seen.push(b.length);
    }
    expect(seen).toEqual(sizes);
    expect(columns((await readAll(path)).rows)).toEqual(columns(trace));
  });

  it('file and stream formats hold the same rows and metadata; each is sniffed whatever its name', async () => {
    const trace = sampleTrace(3000, 3);
    const meta = { pageSize: 65536, vcpus: 3, startNs: 123n, source: { kind: 'sim', seed: 1 } };
    const file = join(dir, 'same.arrow');
    const stream = join(dir, 'same.arrows');
    for (const p of [file, stream]) {
      const w = await createTraceWriter(p, meta, { batchRows: 1000 });
      await w.write(trace);
      await w.close();
    }
    expect(readFileSync(file).subarray(0, 6).toString()).toBe('ARROW1');
    expect(readFileSync(stream).readInt32LE(0)).toBe(-1);
    const a = await readAll(file);
    const b = await readAll(stream);
    expect(columns(a.rows)).toEqual(columns(b.rows));
    expect(a.meta).toEqual(meta);
    expect(b.meta).toEqual(meta);
    // A stream named .arrow, and a file named .arrows, still open.
    const swapped = join(dir, 'stream-named.arrow');
    writeFileSync(swapped, readFileSync(stream));
    expect(columns((await readAll(swapped)).rows)).toEqual(columns(trace));
  });

  it('options override the metadata; a bad page size is refused', async () => {
    const path = join(dir, 'meta.arrows');
    const w = await createTraceWriter(path, { pageSize: 4096, vcpus: 2 });
    await w.write(sampleTrace(10, 2));
    await w.close();
    const src = await openTrace(path, { pageSize: 2 * 1024 * 1024, vcpus: 4, startNs: 5n });
    expect(src.meta).toEqual({ pageSize: 2 * 1024 * 1024, vcpus: 4, startNs: 5n });
    await src.close();
    await expect(openTrace(path, { pageSize: 3000 })).rejects.toThrow('page size 3000 is not a power of two');
  });

  it('reads kind as uint8 codes, and null cpu as -1', async () => {
    const n = 4;
    const cpuValues = Int32Array.of(0, 1, 77, 77);
    const validity = Uint8Array.of(0b0011);
    const fields = [
      new Field('t_ns', new Int64()),
      new Field('kind', new Uint8()),
      new Field('tid', new Uint32()),
      new Field('addr', new Uint64()),
      new Field('cpu', new Int32(), true),
    ];
    const children = [
      makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.of(1n, 2n, 3n, 4n) }),
      makeData({ type: new Uint8(), length: n, nullCount: 0, data: Uint8Array.of(0, 0, 1, 2) }),
      makeData({ type: new Uint32(), length: n, nullCount: 0, data: Uint32Array.of(10, 11, 10, 0) }),
      makeData({ type: new Uint64(), length: n, nullCount: 0, data: BigUint64Array.of(0n, 0n, 2n ** 64n - 4096n, 2n ** 64n - 4096n) }),
      makeData({ type: new Int32(), length: n, nullCount: 2, nullBitmap: validity, data: cpuValues }),
    ];
    const schema = new Schema(fields, new Map([[META.pageSize, '8192']]));
    const rb = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
    const path = join(dir, 'codes.arrow');
    writeFileSync(path, tableToIPC(new Table([rb]), 'file'));
    const { rows, meta } = await readAll(path);
    expect(meta).toEqual({ pageSize: 8192 });
    expect(columns(rows)).toEqual({
      t: [1n, 2n, 3n, 4n],
      kind: [0, 0, 1, 2],
      tid: [10, 11, 10, 0],
      addr: [0n, 0n, 2n ** 64n - 4096n, 2n ** 64n - 4096n],
      cpu: [0, 1, -1, -1],
    });
  });

  it('hands out fixed-width columns as views on the buffers read (no copy)', async () => {
    const path = join(dir, 'views.arrows');
    const w = await createTraceWriter(path, { pageSize: 4096 });
    await w.write(sampleTrace(1000, 2));
    await w.close();
    const src = await openTrace(path);
    for await (const b of src.batches()) {
      for (const col of [b.t, b.kind, b.tid, b.addr, b.cpu]) expect(col.buffer).toBe(b.t.buffer);
    }
  });
});

describe('TraceWriter', () => {
  it('abort() leaves neither the output nor its temporary file', async () => {
    const sub = join(dir, 'abort.arrow');
    const w = await createTraceWriter(sub, { pageSize: 4096 });
    await w.write(sampleTrace(100, 2));
    await w.abort();
    expect(readdirSync(dir).filter((f) => f.includes('abort'))).toEqual([]);
  });

  it('refuses a name without a known extension, and a page size that is not a power of two', async () => {
    await expect(createTraceWriter(join(dir, 'x.txt'), { pageSize: 4096 })).rejects.toThrow('cannot tell the output format');
    await expect(createTraceWriter(join(dir, 'x.arrow'), { pageSize: 1000 })).rejects.toThrow('page size 1000 is not a power of two');
    await expect(createTraceWriter(join(dir, 'missing', 'x.arrow'), { pageSize: 4096 })).rejects.toThrow(
      `${join(dir, 'missing', 'x.arrow')}: cannot write here: no such directory`,
    );
  });
});

describe('Arrow stream from a pipe', () => {
  async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
  }
  async function rowsOf(input: AsyncIterable<Uint8Array>, warnings: string[] = []): Promise<Record<string, unknown[]>> {
    const reader = await openArrowPipe(input, 'stdin', { onWarning: (m) => warnings.push(m) });
    const parts = [];
    for await (const b of reader.batches(new TraceValidator('stdin'))) parts.push(structuredClone(b));
    return columns(concat(parts));
  }

  it('reads a stream or a file arriving in small chunks, batch by batch', async () => {
    const trace = sampleTrace(3000, 4);
    for (const ext of ['arrows', 'arrow']) {
      const path = join(dir, `pipe.${ext}`);
      const w = await createTraceWriter(path, { pageSize: 4096 }, { batchRows: 500 });
      await w.write(trace);
      await w.close();
      expect(await rowsOf(chunksOf(readFileSync(path), 4093))).toEqual(columns(trace));
    }
  });

  it('a cut-off stream keeps its complete batches and warns; CSV is not read as a stream', async () => {
    const path = join(dir, 'pipe-cut.arrows');
    const w = await createTraceWriter(path, { pageSize: 4096 }, { batchRows: 100 });
    await w.write(sampleTrace(1000, 4));
    await w.close();
    const warnings: string[] = [];
    const rows = await rowsOf(chunksOf(readFileSync(path).subarray(0, 20000), 1000), warnings);
    expect(rows.t!.length % 100).toBe(0);
    expect(warnings).toEqual([`stdin: the stream is cut off inside a message; kept the ${rows.t!.length} rows of its ${rows.t!.length / 100} complete batches, dropped the rest`]);
    await expect(rowsOf(chunksOf(Buffer.from('t_ns,kind,tid,addr,cpu\n'), 64))).rejects.toThrow(
      'stdin: byte 0: expected an Arrow IPC stream',
    );
  });
});
