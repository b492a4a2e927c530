/**
 * A Parquet trace's `events` is a view over the file, not a copy: the same
 * rows, numbered by `seq` in the file's order, as the table an Arrow load
 * fills, and every relation built on it agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { exportTrace } from '../../src/sql/export.js';
import { openTraceDatabase, type TraceDatabase } from '../../src/sql/trace-database.js';

let dir: string;
let parquet: string;
/** The same rows as another tool might write them: kind as codes, other integer widths, a signed addr. */
let foreign: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-events-'));
  const exported = join(dir, 'exported.parquet');
  await exportTrace('fixtures/sample.arrow', exported);
  // Many small row groups: DuckDB may scan them in parallel, and seq must still be the file's order.
  parquet = join(dir, 'sample.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (SELECT * FROM read_parquet('${exported}')) TO '${parquet}' (FORMAT parquet, ROW_GROUP_SIZE 500,
    KV_METADATA {'blocktime.page_size': '4096', 'blocktime.vcpus': '8'})`);
  foreign = join(dir, 'foreign.parquet');
  await connection.run(`COPY (SELECT t_ns, (CASE kind WHEN 'vcpu' THEN 0 WHEN 'fault' THEN 1 ELSE 2 END)::TINYINT AS kind, tid::BIGINT AS tid,
    addr::BIGINT AS addr, cpu::SMALLINT AS cpu FROM read_parquet('${exported}') ORDER BY seq) TO '${foreign}' (FORMAT parquet, ROW_GROUP_SIZE 500)`);
  connection.closeSync();
  instance.closeSync();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rows(database: TraceDatabase, sql: string): Promise<unknown[][]> {
  return (await database.connection.runAndReadAll(sql)).getRowsJS();
}

async function withDatabase<T>(trace: string, use: (database: TraceDatabase) => Promise<T>, db?: string): Promise<T> {
  const database = await openTraceDatabase(trace, db ? { db } : {});
  try {
    return await use(database);
  } finally {
    database.close();
  }
}

describe('the events relation of a Parquet trace', () => {
  it("is a view over the file with the rows, seq and types of an Arrow load, and the relations on it agree, for our files and other tools'", async () => {
    const queries = [
      'SELECT seq, t_ns, kind, tid, addr, cpu FROM events ORDER BY seq',
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position",
      'SELECT * FROM faults ORDER BY seq',
      'SELECT * FROM blocked_intervals ORDER BY cpu, start_ns',
      'SELECT * FROM results ORDER BY variant, cpu NULLS LAST',
      'SELECT page_size, vcpus, events FROM trace_meta',
    ];
    const fromArrow = await withDatabase('fixtures/sample.arrow', (d) => Promise.all(queries.map((q) => rows(d, q))));
    for (const file of [parquet, foreign]) {
      const fromParquet = await withDatabase(file, async (d) => {
        expect(await rows(d, "SELECT table_type FROM information_schema.tables WHERE table_name = 'events'")).toEqual([['VIEW']]);
        const out: unknown[][][] = [];
        for (const q of queries) out.push(await rows(d, q));
        return out;
      });
      expect(fromParquet[0]!.length).toBe(8391);
      // The foreign file carries no metadata: N is then the highest cpu + 1, the same 8 here.
      fromParquet.forEach((r, i) => expect(r, `${file}: ${queries[i]}`).toEqual(fromArrow[i]));
    }
  });

  it('answers a query on events alone without reading the trace first, each row checked as the reader checks it', async () => {
    const database = await openTraceDatabase(foreign, { build: { statements: ['SELECT count(*) FROM events'] } });
    try {
      expect(database.loaded).toMatchObject({ events: 0, parts: ['events'] });
      expect(await rows(database, 'SELECT count(*), max(seq) FROM events')).toEqual([[8391n, 8390n]]);
      const [[view]] = await rows(database, "SELECT sql FROM duckdb_views() WHERE view_name = 'events'");
      expect(String(view)).toMatch(/\berror"?\(/);
    } finally {
      database.close();
    }
  });

  it('names the file by its absolute path, so a database file works from any directory', async () => {
    const relative = join(dir, '.', 'sample.parquet');
    const db = join(dir, 'sample.duckdb');
    const view = await withDatabase(relative, (d) => rows(d, "SELECT sql FROM duckdb_views() WHERE view_name = 'events'"), db);
    expect(String(view[0]![0])).toContain(`'${resolve(relative)}'`);
    // Reused as it is: the view still reads the file.
    expect(await withDatabase(relative, async (d) => [d.loaded === undefined, await rows(d, 'SELECT count(*) FROM events')], db)).toEqual([true, [[8391n]]]);
  });
});
