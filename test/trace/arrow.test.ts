import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Dictionary,
  Field,
  Float64,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
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

describe('Arrow files other tools write (pyarrow, polars): any string or integer encoding whose values fit', () => {
  const KINDS = ['vcpu', 'vcpu', 'fault', 'fault', 'resolve', 'resolve'];
  const expected = {
    t: [10n, 10n, 20n, 30n, 40n, 50n],
    kind: [0, 0, 1, 1, 2, 2],
    tid: [101, 102, 101, 4294967295, 0, 0],
    addr: [0n, 0n, 0x1000n, 0x7fff_ffff_ffff_f000n, 0x1000n, 0x7fff_ffff_ffff_f000n],
    cpu: [0, 1, -1, -1, -1, -1],
  };
  const ints = (values: Array<number | bigint | null>, type: DataType): Vector => vectorFromArray(values, type);
  const write = (name: string, cols: Record<string, Vector>): string => {
    const path = join(dir, name);
    writeFileSync(path, tableToIPC(new Table(cols), 'file'));
    return path;
  };

  it('pyarrow by default: plain utf8 kind, int64 everywhere, null cpu', async () => {
    const path = write('pyarrow.arrow', {
      t_ns: ints(expected.t, new Int64()),
      kind: vectorFromArray(KINDS, new Utf8()),
      tid: ints(expected.tid.map(BigInt), new Int64()),
      addr: ints(expected.addr, new Int64()),
      cpu: ints([0n, 1n, null, null, null, null], new Int64()),
    });
    expect(columns((await readAll(path)).rows)).toEqual(expected);
  });

  it('polars: large_utf8 kind, timestamp[ns] times, int32 and uint32 columns', async () => {
    const path = write('polars.arrow', {
      t_ns: makeVector(makeData({ type: new TimestampNanosecond(), data: BigInt64Array.from(expected.t) })),
      kind: vectorFromArray(KINDS, new LargeUtf8()),
      tid: ints(expected.tid, new Uint32()),
      addr: ints(expected.addr, new Uint64()),
      cpu: ints([0, 1, -1, -1, -1, -1], new Int32()),
    });
    expect(columns((await readAll(path)).rows)).toEqual(expected);
  });

  it('dictionaries of any index width and order, and integer codes of any width', async () => {
    const dict = vectorFromArray(['resolve', 'fault', 'vcpu'], new Utf8());
    const base = { t_ns: ints(expected.t, new Int64()), tid: ints(expected.tid, new Uint32()), addr: ints(expected.addr, new Uint64()), cpu: ints(expected.cpu, new Int32()) };
    const encodings: Record<string, Vector> = {
      int16: vectorFromArray(KINDS, new Dictionary(new Utf8(), new Int16())),
      // Arrow JS types its dictionary indices as 8 to 32 bits; other writers use int64 too.
      int64: makeVector(
        makeData({ type: new Dictionary(new Utf8(), new Int64() as unknown as Int32, 9), data: BigInt64Array.of(2n, 2n, 1n, 1n, 0n, 0n) as unknown as Int32Array, dictionary: dict }),
      ),
      codes: ints(expected.kind, new Int16()),
    };
    for (const [name, kind] of Object.entries(encodings)) {
      expect([name, columns((await readAll(write(`kind-${name}.arrow`, { ...base, kind }))).rows)]).toEqual([name, expected]);
    }
  });

  it('a trace in those types reads as the same rows as our own file of it', async () => {
    const trace = sampleTrace(4000, 4);
    const ours = join(dir, 'ours.arrow');
    const w = await createTraceWriter(ours, { pageSize: 4096 });
    await w.write(trace);
    await w.close();
    const theirs = write('theirs.arrow', {
      t_ns: ints(Array.from(trace.t), new Int64()),
      kind: vectorFromArray(Array.from(trace.kind, (k) => ['vcpu', 'fault', 'resolve'][k]!), new Utf8()),
      tid: ints(Array.from(trace.tid, BigInt), new Int64()),
      addr: ints(Array.from(trace.addr), new Uint64()),
      cpu: ints(Array.from(trace.cpu, (c) => (c < 0 ? null : BigInt(c))), new Int64()),
    });
    expect(columns((await readAll(theirs)).rows)).toEqual(columns((await readAll(ours)).rows));
  });

  it('an empty record batch between two others is skipped, in a file and in a stream', async () => {
    const full = new Table({ t_ns: ints(expected.t, new Int64()), kind: vectorFromArray(KINDS, new Utf8()), tid: ints(expected.tid, new Uint32()), addr: ints(expected.addr, new Uint64()), cpu: ints(expected.cpu, new Int32()) });
    const table = new Table([full.slice(0, 2).batches[0]!, full.slice(2, 2).batches[0]!, full.slice(2).batches[0]!]);
    expect(table.batches.map((b) => b.numRows)).toEqual([2, 0, 4]);
    for (const layout of ['file', 'stream'] as const) {
      const path = join(dir, `gap.${layout === 'file' ? 'arrow' : 'arrows'}`);
      writeFileSync(path, tableToIPC(table, layout));
      expect(columns((await readAll(path)).rows)).toEqual(expected);
    }
  });

  it.each([
    ['tid -1', { tid: [101n, 102n, -1n, 0n, 0n, 0n] }, 'row 3: column tid holds -1; expected a value that fits uint32'],
    ['cpu 2^31', { cpu: [0n, 2n ** 31n, null, null, null, null] }, 'row 2: column cpu holds 2147483648; expected a value that fits int32'],
    ['addr below 0', { addr: [0n, 0n, -4096n, 0n, 0n, 0n] }, 'row 3: column addr holds -4096; expected a value that fits uint64'],
  ])('refuses a value that does not fit (%s), naming the column and the row', async (name, change, message) => {
    const cols: Record<string, Array<bigint | null>> = {
      t_ns: expected.t,
      tid: expected.tid.map(BigInt),
      addr: expected.addr,
      cpu: [0n, 1n, null, null, null, null],
      ...change,
    };
    const path = write(`bad-${name.replace(/\W/g, '')}.arrow`, {
      ...Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, ints(v, new Int64())])),
      kind: vectorFromArray(KINDS, new Utf8()),
    });
    await expect(readAll(path)).rejects.toThrow(`${path}: ${message}`);
  });

  it('refuses what cannot be read, naming the column: floats, strings for numbers, other time units, unknown kinds', async () => {
    const good = { t_ns: ints(expected.t, new Int64()), kind: vectorFromArray(KINDS, new Utf8()), tid: ints(expected.tid, new Uint32()), addr: ints(expected.addr, new Uint64()), cpu: ints(expected.cpu, new Int32()) };
    const cases: Array<[Record<string, Vector>, string]> = [
      [{ ...good, tid: vectorFromArray(expected.tid, new Float64()) }, 'Arrow column tid has type float64, expected uint32 (or another integer type)'],
      [{ ...good, addr: vectorFromArray(['0x0', '0x0', '0x1000', '0x1', '0x1', '0x1'], new Utf8()) }, 'Arrow column addr has type utf8, expected uint64 (or another integer type)'],
      [
        { ...good, t_ns: makeVector(makeData({ type: new TimestampMicrosecond(), data: BigInt64Array.from(expected.t) })) },
        'Arrow column t_ns has type timestamp<microsecond>, expected int64 nanoseconds (or another integer type, or timestamp[ns])',
      ],
      [{ ...good, kind: vectorFromArray([...KINDS.slice(0, 5), 'page'], new Utf8()) }, 'row 6: unknown kind "page"; expected vcpu, fault or resolve'],
      [{ ...good, kind: vectorFromArray([...KINDS.slice(0, 5), null], new LargeUtf8()) }, 'row 6: null kind; expected vcpu, fault or resolve'],
      [{ ...good, kind: ints([0, 0, 1, 1, 2, 300], new Int16()) }, 'row 6: kind code 300; expected 0 (vcpu), 1 (fault) or 2 (resolve)'],
    ];
    for (const [k, [cols, message]] of cases.entries()) {
      const path = write(`unreadable-${k}.arrow`, cols);
      await expect(readAll(path)).rejects.toThrow(`${path}: ${message}`);
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
