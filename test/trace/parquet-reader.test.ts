import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTrace as openHere } from '../../src/formats/open.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { exportTrace } from '../../src/sql/export.js';
import type { TraceMeta } from '../../src/trace/schema.js';
import { columns, readAll as readAllWith, sampleTrace, scratchDir } from './helpers.js';

const dir = scratchDir();

/** Runs DuckDB statements, as another tool writing Parquet would. */
async function duckdb(...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A Parquet file of `select`'s rows, written by DuckDB with `options`. */
async function parquetOf(name: string, select: string, options = ''): Promise<string> {
  const path = join(dir, name);
  await duckdb(`COPY (${select}) TO '${path}' (FORMAT parquet${options ? `, ${options}` : ''})`);
  return path;
}

/** `blocktime export` of a trace written from `rows` with `meta`. */
async function exported(name: string, rows: number, meta: TraceMeta): Promise<{ path: string; trace: ReturnType<typeof sampleTrace> }> {
  const trace = sampleTrace(rows, meta.vcpus ?? 4);
  const arrow = join(dir, `${name}.arrow`);
  const w = await createTraceWriter(arrow, meta);
  await w.write(trace);
  await w.close();
  const path = join(dir, `${name}.parquet`);
  await exportTrace(arrow, path);
  return { path, trace };
}

/** Rows of a small trace as SQL VALUES: t, kind, tid, addr, cpu. */
const SMALL = `SELECT * FROM (VALUES (1, 'vcpu', 100, NULL, 0), (2, 'vcpu', 101, 0, 1), (5, 'fault', 100, 4096, NULL), (9, 'resolve', NULL, 4096, NULL))
  v(t, k, tid, addr, cpu)`;
const SMALL_ROWS = { t: [1n, 2n, 5n, 9n], kind: [0, 0, 1, 2], tid: [100, 101, 100, 0], addr: [0n, 0n, 4096n, 4096n], cpu: [0, 1, -1, -1] };

/**
 * Every test twice: read on this thread, and (from the build) by a worker
 * (src/trace/parquet-stream.ts), which must give the same rows, the same
 * batches and the same errors.
 */
const DIST = '../../dist/formats/open.js';
for (const where of ['on this thread', 'by a worker'] as const) describe.skipIf(where === 'by a worker' && !existsSync('dist/formats/open.js'))(`Parquet traces, read ${where}`, () => {
  let openTrace: typeof openHere = openHere;
  const readAll = (path: string, opts = {}) => readAllWith(path, opts, openTrace);
  beforeAll(async () => {
    if (where === 'on this thread') return;
    openTrace = ((await import(DIST)) as typeof import('../../src/formats/open.js')).openTrace;
    const stream = (await import(DIST.replace('formats/open.js', 'trace/parquet-stream.js'))) as typeof import('../../src/trace/parquet-stream.js');
    // Else the build would read on this thread too, and the tests would prove nothing about the worker.
    expect(stream.parquetStreamAvailable()).toBe(true);
  });

  it('reads back what export wrote: every row, in batches of 65536, and the metadata', async () => {
    const meta = { pageSize: 65536, vcpus: 4, startNs: 123n, source: { kind: 'sim', seed: 7 } };
    const { path, trace } = await exported('roundtrip', 150_000, meta);
    expect(readFileSync(path).subarray(0, 4).toString('latin1')).toBe('PAR1');
    const back = await readAll(path);
    expect(back.meta).toEqual(meta);
    expect(back.lengths).toEqual([65536, 65536, 150_000 - 2 * 65536]);
    expect(columns(back.rows)).toEqual(columns(trace));
  });

  it('keeps the file order across many row groups, in batches of any size', async () => {
    const { path, trace } = await exported('groups-source', 20_000, { pageSize: 4096, vcpus: 4 });
    const small = join(dir, 'groups.parquet');
    await duckdb(`COPY (SELECT * FROM read_parquet('${path}')) TO '${small}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
    const src = await openTrace(small, { batchRows: 777 });
    let next = 0;
    for await (const b of src.batches()) {
      expect(b.firstRow).toBe(next);
      expect(b.length).toBeLessThanOrEqual(777);
      next += b.length;
    }
    expect(next).toBe(20_000);
    expect(columns((await readAll(small, { batchRows: 777 })).rows)).toEqual(columns(trace));
  });

  it("reads other tools' files: any integer widths, kind as text or codes, a timestamp t_ns, nulls, extra columns, no metadata", async () => {
    const widths = await parquetOf(
      'widths.parquet',
      `SELECT t::UINTEGER AS t_ns, k AS kind, tid::BIGINT AS tid, addr::USMALLINT AS addr, cpu::TINYINT AS cpu, 'x' AS note FROM (${SMALL})`,
    );
    const read = await readAll(widths);
    expect(read.meta).toEqual({ pageSize: 4096 });
    expect(columns(read.rows)).toEqual(SMALL_ROWS);
    // Options give what the file does not say, as for CSV.
    expect((await readAll(widths, { vcpus: 4, pageSize: 8192 })).meta).toEqual({ pageSize: 8192, vcpus: 4 });

    const codes = await parquetOf(
      'codes.parquet',
      `SELECT make_timestamp_ns(t) AS t_ns, CASE k WHEN 'vcpu' THEN 0 WHEN 'fault' THEN 1 ELSE 2 END::INTEGER AS kind,
         tid::UBIGINT AS tid, addr::BIGINT AS addr, cpu::BIGINT AS cpu FROM (${SMALL})`,
    );
    expect(columns((await readAll(codes)).rows)).toEqual(SMALL_ROWS);

    const micros = await parquetOf('micros.parquet', `SELECT make_timestamp(t) AS t_ns, k AS kind, tid, addr, cpu FROM (${SMALL})`);
    expect(columns((await readAll(micros)).rows).t).toEqual([1000n, 2000n, 5000n, 9000n]);
    const zoned = await parquetOf('zoned.parquet', `SELECT make_timestamp(t)::TIMESTAMPTZ AS t_ns, k AS kind, tid, addr, cpu FROM (${SMALL})`);
    expect(columns((await readAll(zoned)).rows).t).toEqual([1000n, 2000n, 5000n, 9000n]);
  });

  it('reads a signed int64 addr as the 64 bits of the address', async () => {
    const path = await parquetOf(
      'signed-addr.parquet',
      `SELECT * FROM (VALUES (1::BIGINT, 'vcpu', 7::UINTEGER, 0::BIGINT, 0), (2, 'fault', 7, -4096, -1), (3, 'resolve', 0, 9223372036854775807, -1)) v(t_ns, kind, tid, addr, cpu)`,
    );
    expect(columns((await readAll(path)).rows).addr).toEqual([0n, 0xffff_ffff_ffff_f000n, 0x7fff_ffff_ffff_ffffn]);
  });

  it('refuses a column it cannot read, naming it, and a value the model cannot hold, naming its row', async () => {
    const refused = async (name: string, select: string, message: string, options = ''): Promise<void> => {
      const path = await parquetOf(name, select, options);
      await expect(readAll(path)).rejects.toThrow(`${path}: ${message}`);
    };
    const of = (columnsSql: string): string => `SELECT ${columnsSql} FROM (${SMALL})`;
    await refused('no-addr.parquet', of('t AS t_ns, k AS kind, tid, cpu'), 'Parquet file has no column addr (expected addr: an integer type)');
    await refused('text-tid.parquet', of('t AS t_ns, k AS kind, tid::VARCHAR AS tid, addr, cpu'), 'Parquet column tid has type VARCHAR, expected an integer type');
    await refused('float-t.parquet', of('t::DOUBLE AS t_ns, k AS kind, tid, addr, cpu'), 'Parquet column t_ns has type DOUBLE, expected an integer type or a timestamp');
    await refused('null-t.parquet', of("CASE WHEN t = 5 THEN NULL ELSE t END AS t_ns, k AS kind, tid, addr, cpu"), 'row 3: null t_ns; expected a signed 64-bit integer of nanoseconds');
    await refused('null-kind.parquet', of("CASE WHEN t = 9 THEN NULL ELSE k END AS kind, t AS t_ns, tid, addr, cpu"), 'row 4: null kind; expected vcpu, fault or resolve');
    await refused('bad-kind.parquet', of("CASE WHEN t = 5 THEN 'pause' ELSE k END AS kind, t AS t_ns, tid, addr, cpu"), 'row 3: unknown kind "pause"; expected vcpu, fault or resolve');
    await refused('bad-code.parquet', of("CASE WHEN t = 9 THEN 7 WHEN t = 5 THEN 1 ELSE 0 END AS kind, t AS t_ns, tid, addr, cpu"), 'row 4: kind code 7; expected 0 (vcpu), 1 (fault) or 2 (resolve)');
    await refused('neg-tid.parquet', of('t AS t_ns, k AS kind, CASE WHEN t = 5 THEN -1 ELSE tid END AS tid, addr, cpu'), 'row 3: column tid: -1 is out of range; expected an unsigned 32-bit integer');
    await refused('big-cpu.parquet', of('t AS t_ns, k AS kind, tid, addr, CASE WHEN t = 2 THEN 2147483648 ELSE cpu END AS cpu'), 'row 2: column cpu: 2147483648 is out of range; expected a signed 32-bit integer');
    await refused('big-t.parquet', of('CASE WHEN t = 1 THEN 9223372036854775808::UBIGINT ELSE t::UBIGINT END AS t_ns, k AS kind, tid, addr, cpu'), 'row 1: column t_ns: 9223372036854775808 is out of range; expected a signed 64-bit integer of nanoseconds');
    await refused('neg-addr.parquet', of('t AS t_ns, k AS kind, tid, CASE WHEN t = 5 THEN -1 ELSE addr END::INTEGER AS addr, cpu'), 'row 3: column addr: -1 is out of range; expected an unsigned 64-bit integer');
    // The model's rules hold as in every format: the shared validator sees every batch.
    await refused('late-vcpu.parquet', of("CASE WHEN t = 9 THEN 'vcpu' ELSE k END AS kind, t AS t_ns, tid, addr, cpu"), 'row 4: vcpu row after the first fault or resolve (row 3); expected all vcpu rows first');
    await refused('bad-meta.parquet', of('t AS t_ns, k AS kind, tid, addr, cpu'), 'key-value metadata blocktime.page_size is "3000", expected a power of two', "KV_METADATA {'blocktime.page_size': '3000'}");
  });

  it('refuses what is not a Parquet file, a truncated one, a corrupt one, and a compressed one with what to do', async () => {
    const fake = join(dir, 'fake.parquet');
    writeFileSync(fake, 'PAR1 and then nothing like a footer');
    await expect(openTrace(fake)).rejects.toThrow(new RegExp(`^${fake}: cannot read as Parquet: `));
    const { path } = await exported('whole', 20_000, { pageSize: 4096, vcpus: 4 });
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.parquet');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    await expect(openTrace(cut)).rejects.toThrow(new RegExp(`^${cut}: cannot read as Parquet: `));
    // A page of column data overwritten, the footer intact: found while the batches are read.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const [[page]] = (await connection.runAndReadAll(`SELECT data_page_offset FROM parquet_metadata('${path}') WHERE path_in_schema = 't_ns' AND row_group_id = 0`)).getRowsJS() as [[bigint]];
    connection.closeSync();
    instance.closeSync();
    const corrupt = join(dir, 'corrupt.parquet');
    const at = Number(page);
    writeFileSync(corrupt, Buffer.concat([bytes.subarray(0, at), Buffer.alloc(64, 0xff), bytes.subarray(at + 64)]));
    await expect(readAll(corrupt)).rejects.toThrow(new RegExp(`^${corrupt}: cannot read as Parquet: `));
    const gz = join(dir, 'whole.parquet.gz');
    writeFileSync(gz, gzipSync(bytes));
    await expect(openTrace(gz)).rejects.toThrow(`${gz}: a compressed Parquet file cannot be read in place`);
  });

  it('closes cleanly when the consumer stops after the first batch', async () => {
    const { path } = await exported('early', 150_000, { pageSize: 4096, vcpus: 4 });
    const src = await openTrace(path);
    for await (const b of src.batches()) {
      expect(b.length).toBe(65536);
      break;
    }
    await src.close();
  });
});
