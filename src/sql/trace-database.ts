/**
 * A trace opened as a DuckDB database: the one place where blocktime creates
 * DuckDB, for `query`, `export`, `report` and the public API's
 * `openDatabase` and `query`. It loads the trace (load.ts: one read, each
 * batch appended and replayed through the three variants), keeps DuckDB's
 * spill files in a directory of its own, reuses a `--db` file while the
 * trace's fingerprint matches, and maps DuckDB's errors to QueryErrors
 * (run-sql.ts).
 *
 * In memory, or in a file (`db`) that later commands reuse as long as the
 * trace file has not changed. A reload replaces the tables in one
 * transaction, so the file holds either the old load or the new one; a new
 * file whose first load fails is removed. A file blocktime did not make is
 * refused, never loaded into: its own tables could have our tables' names.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError, UsageError, asWriteError } from '../errors.js';
import { holdTemporaryPath, onEarlyStop, releaseTemporaryPath } from '../early-stop.js';
import { openTrace, withOverrides, type OpenOptions } from '../formats/open.js';
import type { TraceSource } from '../trace/source.js';
import { duckdbFileError } from './duckdb-file-error.js';
import { type LoadSummary, loadTrace } from './load.js';
import { type Row, queryRows } from './run-sql.js';
import { type SafeMode, enterSafeMode } from './safe-mode.js';
import { dropTraceTables } from './trace-tables.js';
import { type TraceFingerprint, fingerprintTrace, sameFingerprint } from './trace-fingerprint.js';
import { readViews } from './views.js';

/** Bump when the tables' layout changes; the views' text is hashed in as well. */
const LAYOUT = 2;

export interface TraceDatabaseOptions {
  /** A DuckDB file to keep the load in (the trace must then be a path); in memory when absent. */
  db?: string;
  /** How to read the trace (N, page size and format overrides, warnings, progress in bytes); N and page size also apply to an open source. */
  open?: OpenOptions;
  /** Rows loaded so far. */
  onProgress?(rows: number): void;
  /** Build `faults` and `blocked_intervals` as tables at load (default), or leave them views computed when read. */
  materialize?: boolean;
  /** Lock DuckDB down (no file or network access, no settings changed) before any statement runs: for SQL from elsewhere. */
  safe?: SafeMode;
}

export interface TraceDatabase {
  /**
   * Holds the tables `events`, `trace_meta`, `results`, `analysis` and the
   * views `vcpus`, `faults`, `blocked_intervals`, `all_down_intervals`.
   */
  readonly connection: DuckDBConnection;
  /** The load that filled the database now; absent when a `db` file was reused as it was. */
  readonly loaded?: LoadSummary;
  /** Where DuckDB writes what does not fit in memory; removed on close. */
  readonly spillDirectory: string;
  /** One statement, all its rows as objects; `$1`, `$2`, ... take `params`. DuckDB's errors are QueryErrors. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Releases DuckDB and removes the spill directory. */
  close(): void;
}

/**
 * Opens `trace` (a path, or a source the caller closes) as a database. The
 * spill directory is removed by `close`, and when the process exits without
 * it.
 */
export async function openTraceDatabase(trace: string | TraceSource, opts: TraceDatabaseOptions = {}): Promise<TraceDatabase> {
  const db = opts.db;
  if (db !== undefined && typeof trace !== 'string') throw new UsageError(`${db}: a database file needs the trace as a path (its fingerprint is the file's)`);
  const fingerprint = db !== undefined && typeof trace === 'string' ? await fingerprintTrace(trace, await loadKey(opts)) : undefined;
  // A file this call creates, removed again when its first load fails.
  const created = db !== undefined && !(await exists(db)) ? db : undefined;
  const spill = await createSpillDirectory();
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  // A query still running would keep the process from exiting when it stops early.
  const cancelOnEarlyStop = onEarlyStop(() => connection?.interrupt());
  const close = (): void => {
    cancelOnEarlyStop();
    connection?.closeSync();
    instance?.closeSync();
    removeSpillDirectory(spill);
  };
  try {
    instance = await createInstance(db, spill);
    const conn = (connection = await instance.connect());
    if (opts.safe) await enterSafeMode(conn, opts.safe);
    const opened = (loaded?: LoadSummary): TraceDatabase => ({
      connection: conn,
      ...(loaded ? { loaded } : {}),
      spillDirectory: spill,
      query: (sql, params) => queryRows(conn, sql, params),
      close,
    });
    if (fingerprint === undefined) return opened(await load(conn, trace, opts));
    await refuseForeignDatabase(conn, db!);
    if (await storedFingerprintMatches(conn, fingerprint)) return opened();
    return opened(await reload(conn, trace, fingerprint, opts));
  } catch (err) {
    close();
    if (created !== undefined) await Promise.all([rm(created, { force: true }), rm(`${created}.wal`, { force: true })]);
    // The load writes through DuckDB's appender, not a statement: its disk errors are mapped here.
    throw duckdbFileError(err) ?? err;
  }
}

/** What, besides the trace file, decides the tables' content: a `db` file loaded with other values is loaded again. */
async function loadKey(opts: TraceDatabaseOptions): Promise<Record<string, unknown>> {
  return {
    layout: LAYOUT,
    views: createHash('sha256').update((await readViews()).map((v) => v.sql).join('\n')).digest('hex').slice(0, 16),
    vcpus: opts.open?.vcpus ?? null,
    pageSize: opts.open?.pageSize ?? null,
    format: opts.open?.format ?? null,
    materialize: opts.materialize ?? true,
  };
}

/**
 * DuckDB's own default for spill files is `.tmp/` in the working directory
 * (or beside a `db` file), which is the user's and stays behind when the
 * process ends before closing it. Ours is held (early-stop.ts) until
 * close, so that a signal or an exit removes it.
 */
async function createSpillDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blocktime-db-')).catch((err: unknown) => {
    throw asWriteError(err, `${tmpdir()} (for DuckDB's spill directory; TMPDIR chooses where)`);
  });
  holdTemporaryPath(dir);
  return dir;
}

/** Synchronous, as close() is: a directory of a few spill files. */
function removeSpillDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  releaseTemporaryPath(dir);
}

/**
 * DuckDB's settings for every database blocktime opens. Its memory limit
 * stays DuckDB's default (80% of RAM): past it, DuckDB spills to
 * `temp_directory` rather than failing.
 */
async function createInstance(db: string | undefined, spill: string): Promise<DuckDBInstance> {
  const settings = { temp_directory: spill };
  if (db === undefined) return DuckDBInstance.create(':memory:', settings);
  try {
    return await DuckDBInstance.create(db, settings);
  } catch (err) {
    // Not a DuckDB file, a newer storage version, or locked by another process; or a disk that refuses it.
    throw duckdbFileError(err) ?? new InputError({ file: db }, `cannot open as a DuckDB database: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * A database blocktime made holds the table `blocktime_load`; one that holds
 * anything else and not that is someone's own, and loading a trace would
 * replace whatever of it is called `events`, `results`, `faults`... An empty
 * one (made by hand, or by a first load that was killed) is taken.
 */
async function refuseForeignDatabase(connection: DuckDBConnection, db: string): Promise<void> {
  const here = 'database_name = current_database() AND NOT internal';
  const reader = await connection.runAndReadAll(`SELECT DISTINCT name FROM (
      SELECT table_name AS name FROM duckdb_tables() WHERE ${here}
      UNION ALL SELECT view_name FROM duckdb_views() WHERE ${here}
      UNION ALL SELECT sequence_name FROM duckdb_sequences() WHERE database_name = current_database()
      UNION ALL SELECT function_name FROM duckdb_functions() WHERE ${here}
      UNION ALL SELECT type_name FROM duckdb_types() WHERE ${here}
    ) ORDER BY name`);
  const names = reader.getRowsJS().map((r) => String(r[0]));
  if (names.length === 0 || names.includes('blocktime_load')) return;
  const shown = names.length > 5 ? [...names.slice(0, 5), `and ${names.length - 5} more`] : names;
  throw new InputError(
    { file: db },
    `a DuckDB database blocktime did not make (it holds ${shown.join(', ')}), left as it is: --db takes a new file or one an earlier --db made`,
  );
}

async function storedFingerprintMatches(connection: DuckDBConnection, fp: TraceFingerprint): Promise<boolean> {
  const tables = await connection.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'blocktime_load'`);
  if (tables.getRowsJS()[0]?.[0] === 0n) return false;
  const rows = (await connection.runAndReadAll('SELECT path, size, mtime_ns, sample_sha256, load_key FROM blocktime_load')).getRowsJS();
  const [path, size, mtime_ns, sample_sha256, load_key] = rows[0] ?? [];
  return rows.length === 1 && sameFingerprint(fp, { path, size, mtime_ns, sample_sha256, load_key } as TraceFingerprint);
}

/** Replaces the tables of a `db` file and records the fingerprint they were loaded from, all in one transaction. */
async function reload(connection: DuckDBConnection, trace: string | TraceSource, fp: TraceFingerprint, opts: TraceDatabaseOptions): Promise<LoadSummary> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await dropTraceTables(connection);
    await connection.run('DROP TABLE IF EXISTS blocktime_load');
    const summary = await load(connection, trace, opts);
    await connection.run(
      `CREATE TABLE blocktime_load (path VARCHAR, size BIGINT, mtime_ns BIGINT, sample_sha256 VARCHAR, load_key VARCHAR, loaded_at TIMESTAMPTZ)`,
    );
    await connection.run('INSERT INTO blocktime_load VALUES ($1, $2, $3, $4, $5, now())', [fp.path, fp.size, fp.mtime_ns, fp.sample_sha256, fp.load_key]);
    await connection.run('COMMIT');
    return summary;
  } catch (err) {
    // A failed write (a full disk) may have ended the transaction already: ROLLBACK's own error would then hide the cause.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Fills the tables from `trace`, opening and closing it when it is a path. */
async function load(connection: DuckDBConnection, trace: string | TraceSource, opts: TraceDatabaseOptions): Promise<LoadSummary> {
  const source = typeof trace === 'string' ? await openTrace(trace, opts.open ?? {}) : withOverrides(trace, opts.open ?? {});
  try {
    return await loadTrace(connection, source, {
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      materialize: opts.materialize ?? true,
    });
  } finally {
    if (typeof trace === 'string') await source.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
