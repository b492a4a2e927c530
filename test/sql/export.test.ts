/**
 * The scale-out path: `exportTrace` writes Parquet, and the SQL that
 * `--print-views` prints, run in a fresh DuckDB over nothing but those files,
 * gives the exact replay's figures.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { exportTrace, faultsPathFor } from '../../src/sql/export.js';
import { printableViews } from '../../src/sql/views.js';
import { openTrace } from '../../src/formats/open.js';
import { replayTrace } from '../../src/replay/engine.js';
import type { AnalysisResult } from '../../src/replay/result.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-export-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exactReplay(file: string): Promise<AnalysisResult> {
  const source = await openTrace(file);
  try {
    return (await replayTrace(source, ['exact'])).results.exact!;
  } finally {
    await source.close();
  }
}

describe('export and the printed views', () => {
  for (const file of ['fixtures/sample.arrow', 'fixtures/examples/example2.csv']) {
    it(`the printed views over the exported Parquet of ${file} give the exact replay's sums`, async () => {
      const out = join(dir, file.replace(/\W/g, '_') + '.parquet');
      const summary = await exportTrace(file, out, { faults: true });
      expect(summary.faults?.path).toBe(faultsPathFor(out));
      expect(existsSync(summary.faults!.path)).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

      const connection = await (await DuckDBInstance.create(':memory:')).connect();
      const q = (sql: string) => connection.runAndReadAll(sql).then((r) => r.getRowsJS());
      // What a user of another engine would do: events from the Parquet, trace_meta from its key-value metadata.
      await connection.run(`CREATE VIEW events AS SELECT * FROM read_parquet('${out}')`);
      await connection.run(`CREATE TABLE trace_meta AS
        SELECT max(CASE WHEN key = 'blocktime.page_size' THEN value END)::VARCHAR::UBIGINT AS page_size,
               max(CASE WHEN key = 'blocktime.vcpus' THEN value END)::VARCHAR::INTEGER AS vcpus
        FROM (SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${out}'))`);
      const script = await printableViews();
      const extracted = await connection.extractStatements(script);
      for (let i = 0; i < extracted.count; i++) await (await extracted.prepare(i)).run();

      const replay = await exactReplay(file);
      const n = replay.vcpus;
      const perCpu = await q(`SELECT c.cpu, coalesce(sum(b.end_ns - b.start_ns), 0)::BIGINT FROM range(${n}) c(cpu)
        LEFT JOIN blocked_intervals b ON b.cpu = c.cpu GROUP BY c.cpu ORDER BY c.cpu`);
      expect(perCpu.map((r) => Number(r[1] as bigint))).toEqual(replay.vcpu_blocktime_ns);
      const [[total]] = (await q('SELECT coalesce(sum(end_ns - start_ns), 0)::BIGINT FROM all_down_intervals')) as [[bigint]];
      expect(Number(total)).toBe(replay.total_blocktime_ns);

      // The faults file holds the same rows the views compute over the events file.
      const [[differ]] = (await q(`SELECT count(*) FROM (
          (SELECT * FROM faults EXCEPT ALL SELECT * FROM read_parquet('${summary.faults!.path}'))
          UNION ALL (SELECT * FROM read_parquet('${summary.faults!.path}') EXCEPT ALL SELECT * FROM faults))`)) as [[bigint]];
      expect(differ).toBe(0n);
      expect((await q(`SELECT count(*) FROM read_parquet('${out}')`))[0]![0]).toBe(BigInt(replay.events.vcpu + replay.events.fault + replay.events.resolve));
      // Written in trace order without a sort: row i holds seq i.
      expect(await q(`SELECT count(*) FROM (SELECT seq, row_number() OVER () - 1 AS i FROM read_parquet('${out}')) WHERE seq <> i`)).toEqual([[0n]]);
    });
  }

  it('carries the trace metadata in the key-value metadata, leaving out an N of 0, so the file replays alone to the same figures', async () => {
    const csv = join(dir, 'no-vcpu.csv');
    writeFileSync(csv, 't_ns,kind,tid,addr,cpu\n1,fault,5,0x1000,\n2,resolve,0,0x1000,\n');
    const out = join(dir, 'no-vcpu.parquet');
    await exportTrace(csv, out);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const kv = (await connection.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata('${out}') ORDER BY 1`)).getRowsJS();
    expect(kv).toEqual([['blocktime.page_size', '4096']]);
    expect(await exactReplay(out)).toEqual(await exactReplay(csv));
  });

  it('refuses an output that is not .parquet, and leaves nothing behind', async () => {
    await expect(exportTrace('fixtures/sample.arrow', join(dir, 'x.csv'))).rejects.toThrow(/expected an output file ending in \.parquet/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});
