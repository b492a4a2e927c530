/**
 * The tables the load fills in its one pass (derived-tables.ts) and the SQL
 * views they stand for (src/sql/views/) are two implementations of one
 * definition: on every fixture, on simulated traces of every scenario and on
 * generated traces with times going backwards, `faults` and
 * `blocked_intervals` must hold the same rows, with the same column types,
 * and `all_down_intervals` over them the same windows. Each table built
 * alone, in either order, holds the rows of both built at once.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { type Part, buildParts, loadBatches, loadTrace } from '../../src/sql/load.js';
import { dropTraceTables } from '../../src/sql/trace-tables.js';
import { openTrace } from '../../src/formats/open.js';
import { createSimulator } from '../../src/capture/sim/capture.js';
import { SCENARIO_NAMES } from '../../src/capture/sim/scenarios.js';
import { subBatch, type TraceBatch } from '../../src/trace/batch.js';
import type { TraceMeta } from '../../src/trace/schema.js';
import { splitBatch, toBatch, traceArb } from '../replay/trace-arbitrary.js';
import { blocktime } from '../cli/run.js';
import { suiteDir } from '../tmp.js';
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import type { TraceSource } from '../../src/trace/source.js';

/** One database for the emitted tables, one for the views. */
const db: Record<'emitted' | 'sql', { instance?: DuckDBInstance; connection?: DuckDBConnection }> = { emitted: {}, sql: {} };

beforeAll(async () => {
  for (const side of Object.values(db)) {
    side.instance = await DuckDBInstance.create(':memory:');
    side.connection = await side.instance.connect();
  }
});
afterAll(() => {
  for (const side of Object.values(db)) {
    side.connection?.closeSync();
    side.instance?.closeSync();
  }
});

const RELATIONS = {
  faults: 'SELECT * FROM faults ORDER BY seq',
  blocked_intervals: 'SELECT * FROM blocked_intervals ORDER BY cpu, start_ns',
  all_down_intervals: 'SELECT * FROM all_down_intervals ORDER BY start_ns',
  // status and closed_by: ENUMs in the tables (sorted by name, so they order as the views' text does), VARCHAR in the views.
  faults_columns: `SELECT column_name, CASE WHEN column_type LIKE 'ENUM(%' THEN 'VARCHAR' ELSE column_type END, "null" FROM (DESCRIBE faults)`,
  blocked_intervals_columns: 'SELECT column_name, column_type, "null" FROM (DESCRIBE blocked_intervals)',
  faults_kind: `SELECT table_type FROM information_schema.tables WHERE table_name = 'faults'`,
};

type Relations = Record<keyof typeof RELATIONS, unknown[][]>;

async function read(connection: DuckDBConnection): Promise<Relations> {
  const out: Partial<Relations> = {};
  for (const [name, sql] of Object.entries(RELATIONS)) out[name as keyof Relations] = (await connection.runAndReadAll(sql)).getRowsJS();
  return out as Relations;
}

/** Loads the trace (given as a function, so that each side reads it afresh) into both databases and reads both. */
async function bothWays(load: (connection: DuckDBConnection, materialize: boolean) => Promise<unknown>): Promise<{ emitted: Relations; sql: Relations }> {
  const out: Partial<{ emitted: Relations; sql: Relations }> = {};
  for (const side of ['emitted', 'sql'] as const) {
    const connection = db[side].connection!;
    await dropTraceTables(connection);
    await load(connection, side === 'emitted');
    out[side] = await read(connection);
  }
  return out as { emitted: Relations; sql: Relations };
}

/** The two sides agree, the emitted side holds tables and the other views. */
function expectSame(r: { emitted: Relations; sql: Relations }, label?: string): void {
  expect(r.emitted.faults_kind, label).toEqual([['BASE TABLE']]);
  expect(r.sql.faults_kind, label).toEqual([['VIEW']]);
  const { faults_kind: _e, ...emitted } = r.emitted;
  const { faults_kind: _s, ...sql } = r.sql;
  expect(emitted, label).toEqual(sql);
}

async function fromFile(file: string): Promise<{ emitted: Relations; sql: Relations }> {
  return bothWays(async (connection, materialize) => {
    const source = await openTrace(file);
    try {
      await loadTrace(connection, source, { materialize });
    } finally {
      await source.close();
    }
  });
}

function fromBatches(meta: TraceMeta, batches: () => Iterable<TraceBatch>, path = 'batches'): Promise<{ emitted: Relations; sql: Relations }> {
  return bothWays((connection, materialize) => loadBatches(connection, meta, batches(), { path, format: 'test' }, { materialize }));
}

describe('emitted faults and blocked_intervals = their SQL views, row for row', () => {
  const files = [
    ...readdirSync('fixtures/examples').filter((f) => f.endsWith('.csv')).map((f) => `fixtures/examples/${f}`),
    'fixtures/sample.arrow',
    ...readdirSync('fixtures/qemu').filter((f) => /\.log(\.zst)?$/.test(f) && !f.startsWith('no-timestamps')).map((f) => `fixtures/qemu/${f}`),
  ];
  for (const file of files) {
    it(`on ${file}`, async () => {
      const r = await fromFile(file);
      expect(r.sql.faults.length).toBeGreaterThan(0);
      expectSame(r);
    });
  }

  for (const scenario of SCENARIO_NAMES) {
    it(`on simulated ${scenario} traces, seeds 1-4, whole and cut short`, async () => {
      let faults = 0;
      for (let seed = 1; seed <= 4; seed++) {
        const sim = () => createSimulator({ scenario, options: { seed, vcpus: 1 + (seed % 4), faults: 400, memoryBytes: 64 * 4096, batchRows: 97 } });
        const whole = await fromBatches(sim().meta, () => sim().batches());
        expectSame(whole, `seed ${seed}`);
        faults += whole.sql.faults.length;
        const rows = [...sim().batches()].reduce((a, b) => a + b.length, 0);
        const cut = Math.floor(rows * (0.3 + seed / 10));
        const cutShort = function* (): Iterable<TraceBatch> {
          for (const b of sim().batches()) if (b.firstRow < cut) yield subBatch(b, 0, Math.min(b.length, cut - b.firstRow));
        };
        expectSame(await fromBatches(sim().meta, cutShort), `seed ${seed}, cut at ${cut}`);
      }
      expect(faults).toBeGreaterThan(0);
    });
  }

  it('on generated traces with times going backwards, split into batches anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        traceArb(),
        fc.array(fc.integer({ min: -4_000_000, max: 4_000_000 }), { maxLength: 80 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        async (g, jitter, cuts) => {
          // Times move by up to 4 ms either way, so that waits overlap, start before the run they join, or end before they start.
          const rows = g.rows.map((r, i) => (r.kind === 0 ? r : { ...r, t: r.t + BigInt(jitter[i % Math.max(1, jitter.length)] ?? 0) }));
          const batch = toBatch(rows);
          expectSame(await fromBatches({ pageSize: 4096, vcpus: g.vcpus }, () => splitBatch(batch, cuts)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes the runs of a vCPU whose waits start out of time order from the SQL definition', async () => {
    const vcpu = (tid: number, cpu: number) => ({ t: 0n, kind: 0, tid, addr: 0n, cpu });
    const fault = (t: bigint, tid: number, addr: bigint) => ({ t, kind: 1, tid, addr, cpu: -1 });
    const resolve = (t: bigint, addr: bigint) => ({ t, kind: 2, tid: 0, addr, cpu: -1 });
    // cpu 1 waits [1, 2), [10, 20), then [5, 15): a run already written, and one that a later wait starts before.
    const rows = [
      vcpu(1, 0), vcpu(2, 1),
      fault(1n, 2, 0x5000n), resolve(2n, 0x5000n), fault(10n, 2, 0x2000n), resolve(20n, 0x2000n),
      fault(5n, 2, 0x3000n), resolve(15n, 0x3000n), fault(30n, 1, 0x4000n), resolve(35n, 0x4000n),
    ];
    const r = await fromBatches({ pageSize: 4096 }, () => [toBatch(rows)]);
    expectSame(r);
    expect(r.emitted.blocked_intervals).toEqual([[0, 30n, 35n], [1, 1n, 2n], [1, 5n, 20n]]);
  });

  it('on a trace declaring thread 0 a vCPU: its faults are no_tid, on that cpu', async () => {
    const rows = [
      { t: 0n, kind: 0, tid: 0, addr: 0n, cpu: 0 }, { t: 0n, kind: 0, tid: 5, addr: 0n, cpu: 1 },
      { t: 1n, kind: 1, tid: 0, addr: 0x1000n, cpu: -1 }, { t: 2n, kind: 1, tid: 5, addr: 0x1000n, cpu: -1 },
      { t: 3n, kind: 1, tid: 0, addr: 0x2000n, cpu: -1 }, { t: 4n, kind: 2, tid: 0, addr: 0x1000n, cpu: -1 },
    ];
    const r = await fromBatches({ pageSize: 4096 }, () => [toBatch(rows)]);
    expectSame(r);
    expect(r.emitted.faults.map((f) => [f[3], f[5]])).toEqual([[0, 'no_tid'], [1, 'counted'], [0, 'no_tid']]);
  });

  it('on traces with 64-bit addresses, large page sizes and times near the int64 limits (going backwards within the 2^53 ns a trace may span)', async () => {
    const big = 2n ** 62n;
    for (const pageSize of [1, 4096, 2 ** 21, 2 ** 33]) {
      const rows = [
        { t: big, kind: 0, tid: 7, addr: 0n, cpu: 0 },
        { t: big + 1n, kind: 1, tid: 7, addr: 0xffff_8000_1234_5678n, cpu: -1 },
        { t: big + 2n, kind: 1, tid: 8, addr: 0xffff_8000_1234_5678n, cpu: -1 },
        { t: big + 5_000_000_000n, kind: 2, tid: 0, addr: 0xffff_8000_1234_0000n, cpu: -1 },
        { t: big + 5_000_000_001n, kind: 1, tid: 7, addr: 0xffff_8000_1234_5678n, cpu: -1 },
        { t: big - 3_000_000_000n, kind: 1, tid: 7, addr: 0x1000n, cpu: -1 },
        { t: big + 9n, kind: 2, tid: 0, addr: 0x1000n, cpu: -1 },
      ];
      const r = await fromBatches({ pageSize }, () => [toBatch(rows)]);
      expectSame(r, `page size ${pageSize}`);
      expect(r.emitted.faults.length).toBe(4);
    }
  });
});

// From the build, the rows are computed by a worker that reads the file itself (fault-row-stream.ts) while this thread appends them.
describe.skipIf(!existsSync('dist/sql/load.js'))('emitted by the worker = the SQL views, row for row', () => {
  const work = suiteDir('blocktime-derived-worker-');
  const dist = '../../dist/sql/load.js';
  it('on fixtures and simulated traces of every scenario, as files', async () => {
    const built = (await import(dist)) as typeof import('../../src/sql/load.js');
    // Else the rows would come from this thread and the comparison would prove nothing about the worker.
    const stream = (await import(dist.replace('load.js', 'fault-row-stream.js'))) as typeof import('../../src/sql/fault-row-stream.js');
    expect(stream.faultRowStreamAvailable()).toBe(true);
    const files = ['fixtures/sample.arrow', 'fixtures/examples/example1.csv', 'fixtures/qemu/example1-7.2.log'];
    for (const scenario of SCENARIO_NAMES) {
      const file = join(work, `${scenario}.arrow`);
      const r = await blocktime(['capture', '--sim', '--scenario', scenario, '--faults', '30k', '--vcpus', '5', '-o', file]);
      expect(r.code, r.stderr).toBe(0);
      files.push(file);
    }
    for (const file of files) {
      const r = await bothWays(async (connection, materialize) => {
        const source = await openTrace(file);
        try {
          if (materialize) await built.loadTrace(connection, source, { materialize, reopen: { path: file, open: {} } });
          else await loadTrace(connection, source, { materialize });
        } finally {
          await source.close();
        }
      });
      expect(r.sql.faults.length, file).toBeGreaterThan(0);
      expectSame(r, file);
    }
  }, 120_000);

  it('the worker alone (a read only for faults, blocked_intervals, trace_meta and vcpus) = this thread, table for table', async () => {
    const built = (await import(dist)) as typeof import('../../src/sql/load.js');
    const tables = ['SELECT * FROM faults ORDER BY seq', 'SELECT * FROM blocked_intervals ORDER BY cpu, start_ns', 'SELECT * FROM trace_meta', 'SELECT * FROM vcpus'];
    for (const file of ['fixtures/sample.arrow', 'fixtures/examples/example3.csv', 'fixtures/qemu/race-7.2.log', 'fixtures/qemu/example3-11.1.log.zst']) {
      const out: unknown[][][][] = [];
      for (const alone of [true, false]) {
        const connection = db[alone ? 'emitted' : 'sql'].connection!;
        await dropTraceTables(connection);
        const source = await openTrace(file);
        try {
          const parts = ['meta', 'vcpus', 'faults', 'intervals'] as const;
          if (alone) {
            // The worker reads the file itself: this thread's source must not be read at all.
            const unread = { ...source, batches: (): never => expect.unreachable(`${file}: read on the main thread`) };
            expect((await built.buildParts(connection, unread, parts, { reopen: { path: file, open: {} } })).events, file).toBeGreaterThan(0);
          } else await buildParts(connection, source, parts);
        } finally {
          await source.close();
        }
        out.push(await Promise.all(tables.map(async (sql) => (await connection.runAndReadAll(sql)).getRowsJS())));
      }
      expect(out[0], file).toEqual(out[1]);
    }
  });

  it('each table alone (the worker posts only its rows), in a read of its own or beside that of events, = both at once', async () => {
    const built = (await import(dist)) as typeof import('../../src/sql/load.js');
    const disordered = join(work, 'disordered.csv');
    writeFileSync(disordered, DISORDERED_CSV);
    const sim = join(work, 'apart.arrow');
    const r = await blocktime(['capture', '--sim', '--faults', '20k', '--vcpus', '4', '-o', sim]);
    expect(r.code, r.stderr).toBe(0);
    for (const file of ['fixtures/sample.arrow', 'fixtures/qemu/race-7.2.log', disordered, sim]) {
      for (const withEvents of [false, true]) {
        await expectApartAsTogether(async (connection, parts, done) => {
          const source = await openTrace(file);
          try {
            // Beside events, the first pass reads the trace on this thread while the worker computes the rows; the second is the worker's alone.
            const first = done.size === 0;
            const read: Part[] = withEvents && first ? ['events', ...parts] : [...parts];
            const before: Set<Part> = withEvents && !first ? new Set([...done, 'events']) : new Set(done);
            await built.buildParts(connection, source, read, { built: before, reopen: { path: file, open: {} } });
          } finally {
            await source.close();
          }
        }, `${file}${withEvents ? ', beside events' : ''}`);
      }
    }
  }, 120_000);
});

/** The two tables, in an order of their own. */
const DERIVED = ['SELECT * FROM faults ORDER BY seq', 'SELECT * FROM blocked_intervals ORDER BY cpu, start_ns, end_ns'];

async function derivedTablesIn(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE table_name IN ('faults', 'blocked_intervals') ORDER BY 1`);
  return reader.getRowsJS().map((r) => String(r[0]));
}

type Build = (connection: DuckDBConnection, parts: readonly Part[], built: ReadonlySet<Part>) => Promise<unknown>;

/**
 * The tables built in one pass (db.emitted) and each alone in a pass of its
 * own (db.sql), first `faults` then `blocked_intervals` and the other way
 * round: the same rows, and a pass builds no table it was not asked for.
 */
async function expectApartAsTogether(build: Build, label: string): Promise<void> {
  const together = db.emitted.connection!;
  await dropTraceTables(together);
  await build(together, ['faults', 'intervals'], new Set());
  const want = await Promise.all(DERIVED.map(async (sql) => (await together.runAndReadAll(sql)).getRowsJS()));
  expect(want[0]!.length, label).toBeGreaterThan(0);
  const apart = db.sql.connection!;
  for (const order of [['faults', 'intervals'], ['intervals', 'faults']] as const) {
    await dropTraceTables(apart);
    await build(apart, [order[0]], new Set());
    expect(await derivedTablesIn(apart), `${label}, ${order[0]} alone`).toEqual([order[0] === 'faults' ? 'faults' : 'blocked_intervals']);
    await build(apart, [order[1]], new Set([order[0]]));
    const got = await Promise.all(DERIVED.map(async (sql) => (await apart.runAndReadAll(sql)).getRowsJS()));
    expect(got, `${label}, ${order.join(' then ')}`).toEqual(want);
  }
}

/** A source over batches computed afresh at each read. */
function batchSource(meta: TraceMeta, batches: () => Iterable<TraceBatch>): TraceSource {
  return {
    path: 'batches',
    format: 'test',
    meta,
    async *batches() {
      yield* batches();
    },
    close: async () => undefined,
  };
}

/** cpu 0 waits [1, 2), [10, 20), then [0, 12): a wait that reaches back over a run already written. */
const DISORDERED_CSV = `t_ns,kind,tid,addr,cpu
0,vcpu,1,0,0
0,vcpu,2,0,1
1,fault,1,0x1000,
2,resolve,0,0x1000,
10,fault,1,0x2000,
11,fault,2,0x2000,
20,resolve,0,0x2000,
0,fault,1,0x3000,
12,resolve,0,0x3000,
30,fault,2,0x4000,
35,resolve,0,0x4000,
`;

describe('faults and blocked_intervals built apart = built together', () => {
  const work = suiteDir('blocktime-derived-apart-');

  it('on fixtures, simulated traces of every scenario and a trace whose waits start out of time order', async () => {
    const disordered = join(work, 'disordered.csv');
    writeFileSync(disordered, DISORDERED_CSV);
    for (const file of ['fixtures/sample.arrow', 'fixtures/examples/example4.csv', 'fixtures/qemu/example3-11.1.log.zst', disordered]) {
      await expectApartAsTogether(async (connection, parts, built) => {
        const source = await openTrace(file);
        try {
          await buildParts(connection, source, parts, { built });
        } finally {
          await source.close();
        }
      }, file);
    }
    const r = (await db.sql.connection!.runAndReadAll('SELECT * FROM blocked_intervals ORDER BY cpu, start_ns')).getRowsJS();
    expect(r).toEqual([[0, 0n, 20n], [1, 11n, 20n], [1, 30n, 35n]]);
    for (const scenario of SCENARIO_NAMES) {
      const sim = () => createSimulator({ scenario, options: { seed: 2, vcpus: 3, faults: 400, memoryBytes: 64 * 4096, batchRows: 97 } });
      await expectApartAsTogether((connection, parts, built) => buildParts(connection, batchSource(sim().meta, () => sim().batches()), parts, { built }), scenario);
    }
  });

  it('on generated traces with times going backwards', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(), fc.array(fc.integer({ min: -4_000_000, max: 4_000_000 }), { minLength: 1, maxLength: 40 }), async (g, jitter) => {
        const rows = g.rows.map((r, i) => (r.kind === 0 ? r : { ...r, t: r.t + BigInt(jitter[i % jitter.length]!) }));
        if (!rows.some((r) => r.kind === 1)) return;
        const batch = toBatch(rows);
        await expectApartAsTogether((connection, parts, built) => buildParts(connection, batchSource({ pageSize: 4096, vcpus: g.vcpus }, () => [batch]), parts, { built }), 'generated');
      }),
      { numRuns: 15 },
    );
  });
});
