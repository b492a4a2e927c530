import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { openTraceDatabase } from '../../src/sql/trace-database.js';

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
});
