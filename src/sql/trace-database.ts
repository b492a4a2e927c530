/**
 * A DuckDB database holding one trace: in memory, or in a file (`--db`) that
 * later commands reuse as long as the trace file has not changed. A reload
 * replaces the tables in one transaction, so the file holds either the old
 * load or the new one; a new file whose first load fails is removed.
 */
import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors.js';
import { openTrace, type OpenOptions } from '../formats/open.js';
import { type LoadSummary, loadTrace } from './load.js';
import { dropTraceTables } from './trace-tables.js';
import { type TraceFingerprint, fingerprintTrace, sameFingerprint } from './trace-fingerprint.js';
import { readViews } from './views.js';

/** Bump when the tables' layout changes; the views' text is hashed in as well. */
const LAYOUT = 2;

export interface TraceDatabaseOptions {
  /** A DuckDB file to keep the load in; in memory when absent. */
  db?: string;
  /** How to read the trace (N, page size and format overrides, warnings, progress in bytes). */
  open?: OpenOptions;
  /** Rows loaded so far. */
  onProgress?(rows: number): void;
  /** Build `faults` and `blocked_intervals` as tables at load (default), or leave them views computed when read. */
  materialize?: boolean;
}

export interface TraceDatabase {
  readonly connection: DuckDBConnection;
  /** The load that filled the database now; absent when a `--db` file was reused as it was. */
  readonly loaded?: LoadSummary;
  close(): void;
}

export async function openTraceDatabase(trace: string, opts: TraceDatabaseOptions = {}): Promise<TraceDatabase> {
  const loadKey = {
    layout: LAYOUT,
    views: createHash('sha256').update((await readViews()).map((v) => v.sql).join('\n')).digest('hex').slice(0, 16),
    vcpus: opts.open?.vcpus ?? null,
    pageSize: opts.open?.pageSize ?? null,
    format: opts.open?.format ?? null,
    materialize: opts.materialize ?? true,
  };
  const fingerprint = await fingerprintTrace(trace, loadKey);
  const created = opts.db !== undefined && !(await exists(opts.db));
  const instance = await createInstance(opts.db);
  const connection = await instance.connect();
  const close = (): void => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    if (opts.db !== undefined && (await storedFingerprintMatches(connection, fingerprint))) return { connection, close };
    const loaded = await reload(connection, trace, fingerprint, opts);
    return { connection, loaded, close };
  } catch (err) {
    close();
    if (created && opts.db !== undefined) await Promise.all([rm(opts.db, { force: true }), rm(`${opts.db}.wal`, { force: true })]);
    throw err;
  }
}

async function createInstance(db: string | undefined): Promise<DuckDBInstance> {
  if (db === undefined) return DuckDBInstance.create(':memory:');
  try {
    return await DuckDBInstance.create(db);
  } catch (err) {
    // Not a DuckDB file, a newer storage version, or locked by another process.
    throw new InputError({ file: db }, `cannot open as a DuckDB database: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function storedFingerprintMatches(connection: DuckDBConnection, fp: TraceFingerprint): Promise<boolean> {
  const tables = await connection.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'blocktime_load'`);
  if (tables.getRowsJS()[0]?.[0] === 0n) return false;
  const rows = (await connection.runAndReadAll('SELECT path, size, mtime_ns, sample_sha256, load_key FROM blocktime_load')).getRowsJS();
  const [path, size, mtime_ns, sample_sha256, load_key] = rows[0] ?? [];
  return rows.length === 1 && sameFingerprint(fp, { path, size, mtime_ns, sample_sha256, load_key } as TraceFingerprint);
}

async function reload(connection: DuckDBConnection, trace: string, fp: TraceFingerprint, opts: TraceDatabaseOptions): Promise<LoadSummary> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await dropTraceTables(connection);
    await connection.run('DROP TABLE IF EXISTS blocktime_load');
    const source = await openTrace(trace, opts.open ?? {});
    let summary: LoadSummary;
    try {
      summary = await loadTrace(connection, source, {
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        materialize: opts.materialize ?? true,
      });
    } finally {
      await source.close();
    }
    await connection.run(
      `CREATE TABLE blocktime_load (path VARCHAR, size BIGINT, mtime_ns BIGINT, sample_sha256 VARCHAR, load_key VARCHAR, loaded_at TIMESTAMPTZ)`,
    );
    await connection.run('INSERT INTO blocktime_load VALUES ($1, $2, $3, $4, $5, now())', [fp.path, fp.size, fp.mtime_ns, fp.sample_sha256, fp.load_key]);
    await connection.run('COMMIT');
    return summary;
  } catch (err) {
    await connection.run('ROLLBACK');
    throw err;
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
