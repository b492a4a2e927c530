/**
 * The dataset `export --dataset` writes, read back by DuckDB with
 * hive_partitioning: the printed fleet views over it give each trace's
 * `exact` figures, and exporting a trace again replaces its partitions.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DATASET_TABLES, exportDataset } from '../../src/sql/dataset.js';
import { splitStatements } from '../../src/sql/statements.js';
import { traceId } from '../../src/sql/trace-id.js';
import { printableFleetViews } from '../../src/sql/views.js';
import { writeFleet } from './fleet-traces.js';

let dir: string;
let traces: string[];
let out: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-dataset-'));
  traces = await writeFleet(join(dir, 'traces'));
  out = join(dir, 'dataset');
  const outcomes = await exportDataset(traces, out, { jobs: 2 });
  expect(outcomes.filter((o) => 'error' in o)).toEqual([]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withDuckDB<T>(work: (run: (sql: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await work(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const hive = (table: string): string => `read_parquet('${join(out, table)}/*/*.parquet', hive_partitioning = true, hive_types = {'trace': VARCHAR})`;

describe('export --dataset', () => {
  it('writes one partition per trace and table, named by the id of its content', async () => {
    const ids = (await Promise.all(traces.map(traceId))).sort();
    for (const table of DATASET_TABLES) expect(readdirSync(join(out, table)).sort(), table).toEqual(ids.map((id) => `trace=${id}`));
    expect(readdirSync(out).sort()).toEqual([...DATASET_TABLES].sort());
  });

  it('runs the printed fleet views in DuckDB: per-trace all-down and per-vCPU sums equal the exact replay', async () => {
    const views = splitStatements(await printableFleetViews()).statements;
    await withDuckDB(async (run) => {
      await run(`CREATE VIEW events AS SELECT * FROM ${hive('events')}`);
      await run(`CREATE VIEW traces AS SELECT * FROM ${hive('traces')}`);
      await run(`CREATE VIEW exact AS SELECT * FROM ${hive('results')} WHERE variant = 'exact'`);
      for (const view of views) await run(view);
      const totals = await run(`SELECT t.trace, coalesce(d.ns, 0) AS views_ns, x.blocktime_ns AS replay_ns
        FROM traces AS t
        LEFT JOIN (SELECT trace, sum(end_ns - start_ns) AS ns FROM all_down_intervals GROUP BY trace) AS d ON d.trace = t.trace
        JOIN exact AS x ON x.trace = t.trace AND x.cpu IS NULL ORDER BY t.trace`);
      expect(totals).toHaveLength(traces.length);
      for (const t of totals) expect(t.views_ns, String(t.trace)).toBe(t.replay_ns);
      // Some figures are not zero, or the comparison would prove little.
      expect(totals.some((t) => Number(t.replay_ns) > 0)).toBe(true);
      const vcpus = await run(`SELECT x.trace, x.cpu, coalesce(b.ns, 0) AS views_ns, x.blocktime_ns AS replay_ns
        FROM exact AS x
        LEFT JOIN (SELECT trace, cpu, sum(end_ns - start_ns) AS ns FROM blocked_intervals GROUP BY trace, cpu) AS b ON b.trace = x.trace AND b.cpu = x.cpu
        WHERE x.cpu >= 0`);
      expect(vcpus.length).toBeGreaterThan(traces.length);
      for (const v of vcpus) expect(v.views_ns, `${v.trace} cpu ${v.cpu}`).toBe(v.replay_ns);
      // The views' faults are the exported ones.
      const [diff] = await run(`SELECT count(*) AS n FROM (
        (SELECT trace, seq, status, end_t_ns, latency_ns FROM faults EXCEPT ALL SELECT trace, seq, CAST(status AS VARCHAR), end_t_ns, latency_ns FROM ${hive('faults')})
        UNION ALL
        (SELECT trace, seq, CAST(status AS VARCHAR), end_t_ns, latency_ns FROM ${hive('faults')} EXCEPT ALL SELECT trace, seq, status, end_t_ns, latency_ns FROM faults))`);
      expect(diff!.n).toBe(0n);
    });
  }, 60_000);

  it('replaces a trace exported again instead of adding it twice, and adds a changed one under a new id', async () => {
    const again = join(dir, 'again.csv');
    copyFileSync(traces.find((t) => t.endsWith('example1.csv'))!, again);
    const count = () => withDuckDB(async (run) => (await run(`SELECT count(*) AS n, count(DISTINCT trace) AS traces FROM ${hive('events')}`))[0]);
    const before = await count();
    expect((await exportDataset([again], out))[0]).toMatchObject({ id: await traceId(again) });
    expect(await count()).toEqual(before);
    writeFileSync(again, 't_ns,kind,tid,addr,cpu\n0,vcpu,1,0,0\n');
    await exportDataset([again], out);
    expect(await count()).toEqual({ n: (before!.n as bigint) + 1n, traces: (before!.traces as bigint) + 1n });
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 60_000);

  it('goes on past a trace that fails, which it names', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 't_ns,kind,tid,addr,cpu\n0,fault,1\n');
    const other = join(dir, 'traces', 'example4.csv');
    const outcomes = await exportDataset([bad, other], join(dir, 'other'));
    expect(String((outcomes[0] as { error: Error }).error.message)).toMatch(/bad\.csv: line 2/);
    expect(outcomes[1]).toMatchObject({ trace: other, id: await traceId(other) });
    expect(readdirSync(join(dir, 'other', 'events'))).toEqual([`trace=${await traceId(other)}`]);
  }, 60_000);
});
