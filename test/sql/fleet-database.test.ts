/** Several traces as one database: every relation with its trace, equal row for row to each trace queried alone. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFleetDatabase } from '../../src/sql/fleet-database.js';
import { openTraceDatabase } from '../../src/sql/trace-database.js';
import { traceId } from '../../src/sql/trace-id.js';
import { writeFleet } from './fleet-traces.js';

let dir: string;
let traces: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-fleet-db-'));
  traces = await writeFleet(dir);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows as JSON text, sorted: BigInts and order compared exactly. */
const canonical = (rows: Array<Record<string, unknown>>): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();

describe('openFleetDatabase', () => {
  it("gives every relation each trace's rows, with the trace in front, equal to the trace's own database", async () => {
    const fleet = await openFleetDatabase(traces, { jobs: 2, build: 'all' });
    try {
      for (const relation of ['events', 'vcpus', 'faults', 'blocked_intervals', 'all_down_intervals', 'results', 'trace_meta']) {
        for (const trace of traces) {
          const single = await openTraceDatabase(trace);
          try {
            const alone = await single.query(`SELECT * FROM ${relation}`);
            const inFleet = await fleet.query(`SELECT * EXCLUDE (trace) FROM ${relation} WHERE trace = $1`, [trace]);
            expect(canonical(inFleet), `${relation} of ${trace}`).toEqual(canonical(alone));
          } finally {
            single.close();
          }
        }
      }
      const perTrace = await fleet.query(`SELECT trace, blocktime_ns FROM results WHERE variant = 'exact' AND cpu IS NULL ORDER BY trace`);
      expect(perTrace.map((r) => r.trace)).toEqual(traces);
    } finally {
      fleet.close();
    }
  }, 120_000);

  it('holds one row per trace in traces: its id, format, source and metadata', async () => {
    const fleet = await openFleetDatabase(traces);
    try {
      const rows = await fleet.query('SELECT trace, trace_id, format, qemu_version, page_size, vcpus, events FROM traces ORDER BY trace');
      expect(rows.map((r) => r.trace)).toEqual(traces);
      for (const [i, trace] of traces.entries()) expect(rows[i]!.trace_id).toBe(await traceId(trace));
      const qemu = rows.find((r) => String(r.trace).endsWith('.log.zst'))!;
      expect(qemu).toMatchObject({ format: 'qemu-log', qemu_version: '>= 10.1', page_size: 4096n, vcpus: 2, events: 14n });
      expect(rows.find((r) => String(r.trace).endsWith('example1.csv'))).toMatchObject({ format: 'csv', qemu_version: null, vcpus: 3, events: 11n });
      expect(rows.find((r) => String(r.trace).includes('sim-reentrant'))).toMatchObject({ format: 'arrow', vcpus: 2 });
    } finally {
      fleet.close();
    }
  }, 60_000);

  it('builds only what a statement reads, in every trace', async () => {
    const fleet = await openFleetDatabase(traces, { build: { statements: ['SELECT count(*) FROM trace_meta'] } });
    try {
      // Read on the connection itself: a catalog query through `query` would build every relation.
      const views = async () =>
        (await fleet.connection.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal ORDER BY 1`)).getRowsJS().map((r) => r[0]);
      expect(await views()).toEqual(['trace_meta']);
      await fleet.query('SELECT max(latency_ns) FROM faults');
      expect(await views()).toEqual(['faults', 'trace_meta']);
      await fleet.query('SELECT count(*) FROM blocked_intervals');
      expect(await views()).toEqual(['blocked_intervals', 'faults', 'trace_meta']);
    } finally {
      fleet.close();
    }
  }, 60_000);

  it('names the trace that fails to load, and removes its temporary files', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 't_ns,kind,tid,addr,cpu\n0,fault,1,4096\n');
    let spill = '';
    const opened = openFleetDatabase([traces[0]!, bad, traces[1]!], { build: { statements: ['SELECT * FROM faults'] } }).then((f) => {
      spill = f.spillDirectory;
      return f;
    });
    await expect(opened).rejects.toThrow(/bad\.csv: line 2/);
    expect(spill === '' || !existsSync(spill)).toBe(true);
  }, 60_000);

  it('keeps each trace in FILE.traces/ with --db, reused by the next open', async () => {
    const db = join(dir, 'fleet.duckdb');
    const first = await openFleetDatabase(traces.slice(0, 2), { db, build: { statements: ['SELECT * FROM results'] } });
    const before = await first.query(`SELECT trace, variant, cpu, blocktime_ns FROM results ORDER BY ALL`);
    first.close();
    expect(existsSync(join(`${db}.traces`, '1.duckdb'))).toBe(true);
    const again = await openFleetDatabase(traces.slice(0, 2), { db });
    try {
      expect(await again.query(`SELECT trace, variant, cpu, blocktime_ns FROM results ORDER BY ALL`)).toEqual(before);
    } finally {
      again.close();
    }
    const single = join(dir, 'single.duckdb');
    (await openTraceDatabase(traces[0]!, { db: single })).close();
    await expect(openFleetDatabase(traces.slice(0, 2), { db: single })).rejects.toThrow(`${single}: not a database blocktime made for several traces`);
  }, 60_000);
});
