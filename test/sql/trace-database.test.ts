import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, QueryError, UsageError } from '../../src/errors.js';
import { isTemporaryPathHeld } from '../../src/early-stop.js';
import { TEMPORARY_DATABASE, openTraceDatabase, storedLoad, type ReloadReason } from '../../src/sql/trace-database.js';
import { openTrace } from '../../src/formats/open.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-db-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function eventCount(trace: string, db: string, vcpus?: number): Promise<{ loaded: boolean; events: bigint; n: number }> {
  const database = await openTraceDatabase(trace, { db, ...(vcpus !== undefined ? { open: { vcpus } } : {}) });
  try {
    const [[events, n]] = (await database.connection.runAndReadAll('SELECT events, vcpus FROM trace_meta')).getRowsJS() as [[bigint, number]];
    return { loaded: database.loaded !== undefined, events, n };
  } finally {
    database.close();
  }
}

describe('openTraceDatabase with a database file', () => {
  it('loads once, reuses the file while the trace is unchanged, and reloads when it changes or the options do', async () => {
    const trace = join(dir, 'trace.csv');
    const db = join(dir, 'trace.duckdb');
    copyFileSync('fixtures/examples/example1.csv', trace);
    expect(await eventCount(trace, db)).toEqual({ loaded: true, events: 11n, n: 3 });
    expect(await eventCount(trace, db)).toEqual({ loaded: false, events: 11n, n: 3 });
    // Other options, other figures: a reload.
    expect(await eventCount(trace, db, 4)).toEqual({ loaded: true, events: 11n, n: 4 });
    expect(await eventCount(trace, db, 4)).toEqual({ loaded: false, events: 11n, n: 4 });
    // The same bytes with a new modification time count as a change too.
    const later = new Date(Date.now() + 5000);
    utimesSync(trace, later, later);
    expect((await eventCount(trace, db, 4)).loaded).toBe(true);
    copyFileSync('fixtures/examples/example2.csv', trace);
    expect(await eventCount(trace, db)).toEqual({ loaded: true, events: 8n, n: 2 });
  });

  it('keeps the previous load when a reload fails, and removes a new file whose first load fails', async () => {
    const trace = join(dir, 'changing.csv');
    const db = join(dir, 'changing.duckdb');
    copyFileSync('fixtures/examples/example1.csv', trace);
    expect((await eventCount(trace, db)).events).toBe(11n);
    writeFileSync(trace, 't_ns,kind,tid,addr,cpu\n0,vcpu,1,0,0\n5,bogus,1,0x1000,\n');
    await expect(openTraceDatabase(trace, { db })).rejects.toBeInstanceOf(InputError);
    copyFileSync('fixtures/examples/example1.csv', trace);
    // The rolled-back reload left the old tables; a new fingerprint still makes it load again.
    expect(await eventCount(trace, db)).toMatchObject({ events: 11n });

    const fresh = join(dir, 'fresh.duckdb');
    writeFileSync(trace, 't_ns,kind,tid,addr,cpu\n0,bogus,1,0,0\n');
    await expect(openTraceDatabase(trace, { db: fresh })).rejects.toBeInstanceOf(InputError);
    expect(existsSync(fresh)).toBe(false);
  });

  it('says so in one line when the file is not a DuckDB database', async () => {
    const notDb = join(dir, 'not.duckdb');
    writeFileSync(notDb, 'this is not a database\n'.repeat(100));
    await expect(openTraceDatabase('fixtures/examples/example1.csv', { db: notDb })).rejects.toThrow(/not\.duckdb: cannot open as a DuckDB database/);
  });

  it("reloads only its own relations: a table the user added to a database blocktime made stays", async () => {
    const trace = join(dir, 'notes.csv');
    const db = join(dir, 'notes.duckdb');
    copyFileSync('fixtures/examples/example1.csv', trace);
    const first = await openTraceDatabase(trace, { db });
    await first.query("CREATE TABLE notes AS SELECT 'keep me' AS note");
    first.close();
    copyFileSync('fixtures/examples/example2.csv', trace);
    const second = await openTraceDatabase(trace, { db });
    try {
      expect(second.loaded).toBeDefined();
      expect(await second.query('SELECT (SELECT events FROM trace_meta) AS events, (SELECT note FROM notes) AS note')).toEqual([{ events: 8n, note: 'keep me' }]);
    } finally {
      second.close();
    }
  });
});

describe('openTraceDatabase({ safe })', () => {
  it('loads the trace and answers queries, but DuckDB reads no other file and no setting changes', async () => {
    const database = await openTraceDatabase('fixtures/examples/example1.csv', { safe: {} });
    try {
      expect(await database.query('SELECT count(*) AS n FROM faults')).toEqual([{ n: 4n }]);
      await expect(database.query("SELECT * FROM read_csv('fixtures/examples/example1.csv')")).rejects.toThrow(/Permission Error/);
      await expect(database.query("SET threads = 1")).rejects.toThrow(/configuration has been locked/);
    } finally {
      database.close();
    }
  });
});

describe('openTraceDatabase: the spill directory', () => {
  it('is a fresh directory under the temporary directory, the one DuckDB spills to, removed on close', async () => {
    const database = await openTraceDatabase('fixtures/examples/example1.csv');
    const spill = database.spillDirectory;
    try {
      expect(spill.startsWith(join(tmpdir(), 'blocktime-db-'))).toBe(true);
      expect(existsSync(spill)).toBe(true);
      expect(await database.query("SELECT current_setting('temp_directory') AS dir")).toEqual([{ dir: spill }]);
    } finally {
      database.close();
    }
    expect(existsSync(spill)).toBe(false);
  });

  it('is removed when the process exits without closing the database', async () => {
    const before = new Set(process.listeners('exit'));
    const database = await openTraceDatabase('fixtures/examples/example1.csv');
    const added = process.listeners('exit').filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    added[0]!(0);
    expect(existsSync(database.spillDirectory)).toBe(false);
    database.close();
    expect(process.listeners('exit').filter((l) => !before.has(l))).toEqual([]);
  });

  it('is one per database, a database file included, and removed when a load fails', async () => {
    const trace = join(dir, 'spill.csv');
    copyFileSync('fixtures/examples/example1.csv', trace);
    const a = await openTraceDatabase(trace);
    const b = await openTraceDatabase(trace, { db: join(dir, 'spill.duckdb') });
    expect(a.spillDirectory).not.toBe(b.spillDirectory);
    expect(await b.query("SELECT current_setting('temp_directory') AS dir")).toEqual([{ dir: b.spillDirectory }]);
    a.close();
    b.close();
    expect([existsSync(a.spillDirectory), existsSync(b.spillDirectory)]).toEqual([false, false]);

    writeFileSync(trace, 't_ns,kind,tid,addr,cpu\n0,bogus,1,0,0\n');
    // A temporary directory of this test's own: other processes create spill directories in the shared one.
    const temporary = mkdtempSync(join(dir, 'tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temporary;
    try {
      await expect(openTraceDatabase(trace)).rejects.toBeInstanceOf(InputError);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(temporary)).toEqual([]);
  });
});

describe('openTraceDatabase: an open source, and errors', () => {
  it('loads a source the caller opened, with the same tables, and leaves it to the caller to close', async () => {
    const source = await openTrace('fixtures/examples/example2.csv');
    try {
      const database = await openTraceDatabase(source, { open: { vcpus: 3 } });
      try {
        expect(await database.query('SELECT events::INTEGER AS events, vcpus FROM trace_meta')).toEqual([{ events: 8, vcpus: 3 }]);
      } finally {
        database.close();
      }
      await expect(openTraceDatabase(source, { db: join(dir, 'never.duckdb') })).rejects.toBeInstanceOf(UsageError);
      expect(existsSync(join(dir, 'never.duckdb'))).toBe(false);
    } finally {
      await source.close();
    }
  });

  it('answers bad SQL with a QueryError naming the statement', async () => {
    const database = await openTraceDatabase('fixtures/examples/example1.csv');
    try {
      await expect(database.query('SELECT nope FROM faults')).rejects.toThrow(QueryError);
      await expect(database.query('SELECT nope FROM faults')).rejects.toThrow(/\(in: SELECT nope FROM faults\)$/);
      expect(await database.query('SELECT $1::INTEGER + 1 AS n', [41])).toEqual([{ n: 42 }]);
      // Parameters that do not bind are the caller's mistake as well.
      await expect(database.query('SELECT $1 AS x', [1, 2])).rejects.toBeInstanceOf(QueryError);
    } finally {
      database.close();
    }
  });
});

describe('openTraceDatabase: what is built, and when', () => {
  it('builds only what the statements read; the rest on first use, with the same figures', async () => {
    const database = await openTraceDatabase('fixtures/sample.arrow', { build: { statements: ['SELECT count(*) AS n FROM events'] } });
    try {
      expect(database.built().sort()).toEqual(['events']);
      expect(database.loaded?.parts).toEqual(['events']);
      const tables = async (): Promise<string[]> =>
        (await database.connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1`)).getRowsJS().map((r) => String(r[0]));
      expect(await tables()).toEqual(['events']);

      // A query on faults builds faults (from the exact replay's rows), not blocked_intervals nor the other variants' results.
      const [latency] = await database.query("SELECT count(*)::INTEGER AS n FROM faults WHERE status = 'counted'");
      expect(await tables()).toEqual(['events', 'faults']);
      expect(database.built()).not.toContain('results');

      // results on first use: the exact replay's count of counted faults is the table's.
      const [exact] = await database.query("SELECT sum(faults)::INTEGER AS n FROM results WHERE variant = 'exact' AND cpu IS NULL");
      expect(exact).toEqual(latency);
      expect(database.built().sort()).toEqual(['analysis', 'events', 'faults', 'results']);
    } finally {
      database.close();
    }
  });

  it('builds faults and blocked_intervals each when first read, with the rows of both built at once (waits out of time order too)', async () => {
    const disordered = join(dir, 'disordered.csv');
    // cpu 0 waits [1, 2), [10, 20), then [0, 12), which reaches back over the first.
    writeFileSync(disordered, 't_ns,kind,tid,addr,cpu\n0,vcpu,1,0,0\n1,fault,1,0x1000,\n2,resolve,0,0x1000,\n10,fault,1,0x2000,\n20,resolve,0,0x2000,\n0,fault,1,0x3000,\n12,resolve,0,0x3000,\n');
    for (const trace of ['fixtures/sample.arrow', 'fixtures/examples/example1.csv', disordered]) {
      const together = await openTraceDatabase(trace, { build: { relations: ['faults', 'blocked_intervals'] } });
      const apart = await openTraceDatabase(trace, { build: { relations: [] } });
      try {
        const rowsOf = (database: typeof together, relation: string) => database.query(`SELECT * FROM ${relation} ORDER BY ALL`);
        expect(await rowsOf(apart, 'faults'), trace).toEqual(await rowsOf(together, 'faults'));
        expect(apart.built(), trace).toEqual(['faults']);
        expect(await rowsOf(apart, 'blocked_intervals'), trace).toEqual(await rowsOf(together, 'blocked_intervals'));
        expect(apart.built().sort(), trace).toEqual(['blocked_intervals', 'faults']);
      } finally {
        together.close();
        apart.close();
      }
    }
    const database = await openTraceDatabase(disordered, { build: { relations: ['blocked_intervals'] } });
    try {
      expect(database.built()).toEqual(['blocked_intervals']);
      expect(await database.query('SELECT cpu, start_ns, end_ns FROM blocked_intervals')).toEqual([{ cpu: 0, start_ns: 0n, end_ns: 20n }]);
    } finally {
      database.close();
    }
  });

  it('reads the trace only for what needs it: trace_meta and the views over built tables cost no new read', async () => {
    const rows: number[] = [];
    const database = await openTraceDatabase('fixtures/examples/example1.csv', { build: { relations: ['events', 'faults', 'blocked_intervals', 'trace_meta'] }, onProgress: (n) => rows.push(n) });
    try {
      const reads = rows.filter((n) => n === 11).length;
      expect(reads).toBe(1);
      await database.prepare(['SELECT * FROM all_down_intervals', 'SELECT * FROM vcpus']);
      expect(rows.filter((n) => n === 11).length).toBe(reads);
      expect(database.built()).toContain('all_down_intervals');
    } finally {
      database.close();
    }
  });

  it("refuses to build inside the user's transaction, whose ROLLBACK would take the tables, and builds after it", async () => {
    const database = await openTraceDatabase('fixtures/examples/example1.csv', { build: { relations: [] } });
    try {
      await database.connection.run('BEGIN TRANSACTION');
      await expect(database.prepare(['SELECT * FROM events'])).rejects.toThrow(/outside a transaction; read it once before BEGIN/);
      await database.connection.run('ROLLBACK');
      expect(await database.query('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 11 }]);
    } finally {
      database.close();
    }
  });

  it('builds everything at once from a source that can be read only once', async () => {
    const source = await openTrace('fixtures/examples/example1.csv');
    try {
      const database = await openTraceDatabase(source, { build: { relations: ['events'] } });
      try {
        expect(database.built().sort()).toEqual(['all_down_intervals', 'analysis', 'blocked_intervals', 'events', 'fault_legs', 'faults', 'phases', 'results', 'trace_meta', 'vcpus']);
      } finally {
        database.close();
      }
    } finally {
      await source.close();
    }
  });

  it('keeps in a database file what each run built, and builds the rest into it when a later run reads it', async () => {
    const trace = join(dir, 'lazy.csv');
    const db = join(dir, 'lazy.duckdb');
    copyFileSync('fixtures/examples/example1.csv', trace);
    const first = await openTraceDatabase(trace, { db, build: { statements: ['SELECT count(*) FROM events'] } });
    expect(first.built().sort()).toEqual(['events']);
    first.close();
    const second = await openTraceDatabase(trace, { db, build: { statements: ['SELECT * FROM results'] } });
    expect(second.loaded?.parts).toEqual(['results']);
    expect(second.built().sort()).toEqual(['analysis', 'events', 'results']);
    second.close();
    const third = await openTraceDatabase(trace, { db, build: { statements: ['SELECT * FROM results, events'] } });
    expect(third.loaded).toBeUndefined();
    third.close();
  });

  it('keeps faults without blocked_intervals in a database file, and builds just blocked_intervals when a later run reads it', async () => {
    const trace = join(dir, 'apart.arrow');
    const db = join(dir, 'apart.duckdb');
    copyFileSync('fixtures/sample.arrow', trace);
    const first = await openTraceDatabase(trace, { db, build: { statements: ['SELECT count(*) FROM faults'] } });
    expect(first.loaded?.parts).toEqual(['faults']);
    const faults = await first.query('SELECT * FROM faults ORDER BY seq');
    first.close();
    const second = await openTraceDatabase(trace, { db, build: { statements: ['SELECT * FROM blocked_intervals'] } });
    try {
      expect(second.loaded?.parts).toEqual(['intervals']);
      expect(second.built().sort()).toEqual(['blocked_intervals', 'faults']);
      expect(await second.query('SELECT * FROM faults ORDER BY seq')).toEqual(faults);
      const together = await openTraceDatabase(trace, { build: { relations: ['faults', 'blocked_intervals'] } });
      try {
        const runs = 'SELECT * FROM blocked_intervals ORDER BY cpu, start_ns';
        expect(await second.query(runs)).toEqual(await together.query(runs));
      } finally {
        together.close();
      }
    } finally {
      second.close();
    }
    const third = await openTraceDatabase(trace, { db, build: { statements: ['SELECT * FROM all_down_intervals'] } });
    expect(third.loaded?.parts).toEqual(['meta', 'vcpus', 'all_down']);
    third.close();
  });
});

describe("openTraceDatabase: DuckDB's limits and where the database lives", () => {
  it("sets DuckDB's memory limit and threads from the machine", async () => {
    const database = await openTraceDatabase('fixtures/examples/example1.csv', { build: { relations: [] } });
    try {
      const [row] = await database.query("SELECT current_setting('memory_limit') AS memory, current_setting('threads')::INTEGER AS threads");
      expect(database.limits.memoryBytes).toBeLessThanOrEqual(2 ** 30);
      expect({ memory: bytes(row!.memory as string), threads: row!.threads }).toEqual({ memory: database.limits.memoryBytes, threads: database.limits.threads });
    } finally {
      database.close();
    }
  });

  it('keeps a large trace in a database file in the spill directory, removed on close', async () => {
    const database = await openTraceDatabase('fixtures/sample.arrow', { storage: 'disk' });
    const file = join(database.spillDirectory, TEMPORARY_DATABASE);
    try {
      expect(existsSync(file)).toBe(true);
      expect(await database.query("SELECT path LIKE '%' || $1 AS here FROM duckdb_databases() WHERE database_name = current_database()", [TEMPORARY_DATABASE])).toEqual([{ here: true }]);
      expect(await database.query('SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 8391 }]);
    } finally {
      database.close();
    }
    expect(existsSync(database.spillDirectory)).toBe(false);
  });

  it('holds the spill directory, and the database file in it, for an early stop to remove', async () => {
    const database = await openTraceDatabase('fixtures/examples/example1.csv', { storage: 'disk', build: { relations: ['events'] } });
    try {
      expect(isTemporaryPathHeld(database.spillDirectory)).toBe(true);
      expect(existsSync(join(database.spillDirectory, TEMPORARY_DATABASE))).toBe(true);
    } finally {
      database.close();
    }
    expect(isTemporaryPathHeld(database.spillDirectory)).toBe(false);
  });
});

/** DuckDB's rendering of a memory size ("1.0 GiB", "512.0 MiB") in bytes. */
function bytes(shown: string): number {
  const [, n, unit] = /^([\d.]+) (KiB|MiB|GiB)$/.exec(shown) ?? [];
  return Number(n) * 2 ** ({ KiB: 10, MiB: 20, GiB: 30 }[unit as 'KiB' | 'MiB' | 'GiB'] ?? NaN);
}

describe('the load a database file holds', () => {
  it('storedLoad gives its trace and options, reads without creating, and openTraceDatabase says why it reloads', async () => {
    const db = join(dir, 'stored.duckdb');
    expect(await storedLoad(db)).toBeUndefined();
    expect(existsSync(db)).toBe(false);
    const reloads: Array<[string, ReloadReason]> = [];
    const open = async (trace: string, vcpus?: number): Promise<void> => {
      const database = await openTraceDatabase(trace, { db, build: { relations: ['trace_meta'] }, open: vcpus !== undefined ? { vcpus } : {}, onReload: (previous, why) => reloads.push([previous, why]) });
      database.close();
    };
    const ex1 = resolve('fixtures/examples/example1.csv');
    const ex2 = resolve('fixtures/examples/example2.csv');
    await open(ex1, 4);
    expect(await storedLoad(db)).toEqual({ path: ex1, open: { vcpus: 4 } });
    await open(ex1, 4);
    await open(ex1);
    await open(ex2);
    expect(reloads).toEqual([
      [ex1, 'other options'],
      [ex1, 'other trace'],
    ]);
    expect(await storedLoad(db)).toEqual({ path: ex2, open: {} });
  });
});
