/**
 * A trace opened as a DuckDB database: the one place where blocktime creates
 * DuckDB, for `query`, `export`, `report` and the public API's
 * `openDatabase` and `query`. It builds the trace's relations as statements
 * read them (load.ts: one read of the trace per build, for every part it
 * needs), bounds DuckDB's memory and threads (database-limits.ts), keeps
 * DuckDB's spill files and, for a large trace, the database itself in a
 * directory of its own, reuses a `--db` file while the trace's fingerprint
 * matches, and maps DuckDB's errors to QueryErrors (run-sql.ts).
 *
 * In memory, in a file in the spill directory, or in a file (`db`) that
 * later commands reuse as long as the trace file has not changed. A reload
 * replaces the tables in one transaction, so the file holds either the old
 * load or the new one; each later build is a transaction too; a new file
 * whose first load fails is removed. A file blocktime did not make is
 * refused, never loaded into: its own tables could have our tables' names.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError, QueryError, UsageError, asWriteError } from '../errors.js';
import { holdTemporaryPath, onEarlyStop, releaseTemporaryPath } from '../early-stop.js';
import { openTrace, withOverrides, type OpenOptions } from '../formats/open.js';
import type { TraceSource } from '../trace/source.js';
import { type DatabaseLimits, databaseLimits, limitSettings, loadsOnDisk, thisMachine } from './database-limits.js';
import { duckdbFileError } from './duckdb-file-error.js';
import { type LoadSummary, PARTS, type Part, buildParts, partsFor, relationsOf } from './load.js';
import { RELATIONS, type Relation, relationsNamedIn } from './relations.js';
import { type Row, queryRows } from './run-sql.js';
import { type SafeMode, enterSafeMode } from './safe-mode.js';
import { dropTraceTables } from './trace-tables.js';
import { type TraceFingerprint, fingerprintTrace, sameFingerprint } from './trace-fingerprint.js';
import { readViews } from './views.js';
import type { TraceWindow } from '../replay/window.js';
import { WINDOW_SCHEMA, readWindowReport, windowViewSql } from './trace-window.js';

/**
 * Bump when the tables' layout changes; the views' text is hashed in as
 * well. 4: a file may hold `faults` without `blocked_intervals`, which a
 * blocktime that built them together would take for neither.
 */
const LAYOUT = 4;

export interface TraceDatabaseOptions {
  /** A DuckDB file to keep the load in (the trace must then be a path); in memory, or in the spill directory, when absent. */
  db?: string;
  /** How to read the trace (N, page size and format overrides, warnings, progress in bytes); N and page size also apply to an open source. */
  open?: OpenOptions;
  /** Rows read so far, in each read of the trace. */
  onProgress?(rows: number): void;
  /**
   * What to build before returning: every relation (the default), these
   * relations, or those these statements read. The rest are built when a
   * statement reads them (`prepare`). A trace that can be read only once
   * (an open source, a pipe) is built whole at once.
   */
  build?: 'all' | { relations: Iterable<Relation> } | { statements: readonly string[] };
  /** Fill `faults` and `blocked_intervals` as tables from the replay (default), or leave them views computed when read. */
  materialize?: boolean;
  /** Without `db`: where the database lives; by default in a file for traces too large for DuckDB's memory limit. */
  storage?: 'memory' | 'disk';
  /** Lock DuckDB down (no file or network access, no settings changed) before any statement runs: for SQL from elsewhere. */
  safe?: SafeMode;
  /** Called before a `db` file that holds another load is loaded again: the trace it held, and why it is replaced. */
  onReload?(previous: string, why: ReloadReason): void;
  /** Show the relations through this time window (trace-window.ts); `main.<relation>` stays the whole trace. */
  window?: TraceWindow;
}

/** Why a `db` file's load is replaced: another trace file, the same one changed since, or other options (or another blocktime). */
export type ReloadReason = 'other trace' | 'trace changed' | 'other options';

/** The table a load records its fingerprint in: ours, not the user's, so the shell's `.tables` leaves it out. */
export const LOAD_TABLE = 'blocktime_load';

export interface TraceDatabase {
  /**
   * Holds, once built, the tables `events`, `trace_meta`, `vcpus`,
   * `results`, `analysis`, `faults`, `blocked_intervals` and the view
   * `all_down_intervals`. Statements run on it directly must be `prepare`d.
   */
  readonly connection: DuckDBConnection;
  /** What building at open did; absent when a `db` file already held all that was asked. */
  readonly loaded?: LoadSummary;
  /** Where DuckDB writes what does not fit in memory (and, for a large trace, the database); removed on close. */
  readonly spillDirectory: string;
  /** DuckDB's memory limit and threads. */
  readonly limits: DatabaseLimits;
  /** Builds what these statements read and is not built yet, in one read of the trace. */
  /** `shownAs`: what the user wrote, named in a refusal to build (a dot-command's own SQL is not); else the statements. */
  prepare(statements: readonly string[], shownAs?: string): Promise<void>;
  /** Builds these relations if they are not yet. */
  ensure(relations: Iterable<Relation>): Promise<void>;
  /** Which relations are built now. */
  built(): Relation[];
  /** One statement (prepared first), all its rows as objects; `$1`, `$2`, ... take `params`. DuckDB's errors are QueryErrors. */
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
  const traceBytes = typeof trace === 'string' ? await regularFileSize(trace) : undefined;
  // A file this call creates, removed again when its first load fails.
  const created = db !== undefined && !(await exists(db)) ? db : undefined;
  const limits = databaseLimits(thisMachine(), traceBytes);
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
    const onDisk = db === undefined && (opts.storage ?? (loadsOnDisk(traceBytes, limits) ? 'disk' : 'memory')) === 'disk';
    instance = await createInstance(db ?? (onDisk ? join(spill, TEMPORARY_DATABASE) : undefined), spill, limits, db);
    const conn = (connection = await instance.connect());
    // A database about to be deleted need not be written out when it closes (set before safe mode locks the settings).
    if (onDisk) await conn.run('PRAGMA disable_checkpoint_on_shutdown');
    if (opts.safe) await enterSafeMode(conn, opts.safe);
    const build = await startTraceBuild(conn, trace, { ...opts, rereadable: traceBytes !== undefined, ...(fingerprint ? { fingerprint } : {}) });
    const loaded = build.loaded;
    return {
      connection: conn,
      ...(loaded ? { loaded } : {}),
      spillDirectory: spill,
      limits,
      prepare: build.prepare,
      ensure: async (relations) => void (await build.ensure(relations)),
      built: build.built,
      query: async (sql, params) => {
        await build.prepare([sql]);
        return queryRows(conn, sql, params);
      },
      close,
    };
  } catch (err) {
    close();
    if (created !== undefined) await Promise.all([rm(created, { force: true }), rm(`${created}.wal`, { force: true })]);
    // The load writes through DuckDB's appender, not a statement: its disk errors are mapped here.
    throw duckdbFileError(err) ?? err;
  }
}

/** One trace's relations in the database a connection uses (its current one: a fleet `USE`s one per trace), built as statements read them. */
export interface TraceBuild {
  /** What building at start did; absent when a `db` file already held all that was asked. */
  readonly loaded?: LoadSummary;
  prepare(statements: readonly string[], shownAs?: string): Promise<void>;
  /** Builds these relations if they are not yet; undefined when there was nothing to build. */
  ensure(relations: Iterable<Relation>): Promise<LoadSummary | undefined>;
  built(): Relation[];
}

export interface TraceBuildOptions extends TraceDatabaseOptions {
  /** The trace is a regular file, which each build may read again. */
  rereadable: boolean;
  /** With `db`: the trace's fingerprint, compared with the one the database holds (reused when equal, reloaded otherwise). */
  fingerprint?: TraceFingerprint;
}

/** Builds what `opts.build` asks into the connection's current database (reusing or replacing a `db` file's load), and returns what builds the rest. */
export async function startTraceBuild(connection: DuckDBConnection, trace: string | TraceSource, opts: TraceBuildOptions): Promise<TraceBuild> {
  const builder = new Builder(connection, trace, opts.rereadable, opts);
  const wanted = await builder.wantedAtOpen(opts.build ?? 'all');
  let loaded: LoadSummary | undefined;
  const fingerprint = opts.fingerprint;
  if (fingerprint !== undefined) await refuseForeignDatabase(connection, opts.db!);
  await builder.setUpWindow(opts.db !== undefined);
  if (fingerprint === undefined) loaded = await builder.build(wanted);
  else {
    const stored = await storedFingerprint(connection);
    if (stored !== undefined && sameFingerprint(stored, fingerprint)) {
      await builder.readCatalog();
      loaded = await builder.build(wanted);
    } else {
      if (stored !== undefined) opts.onReload?.(stored.path, reloadReason(stored, fingerprint));
      loaded = await builder.reload(fingerprint, wanted);
    }
  }
  return {
    ...(loaded ? { loaded } : {}),
    prepare: (statements, shownAs) => builder.prepare(statements, shownAs),
    ensure: (relations) => builder.build(relations),
    built: () => builder.builtRelations(),
  };
}

/** The database file in the spill directory, for a trace too large for memory. */
export const TEMPORARY_DATABASE = 'trace.duckdb';

/** What is built in one database, and the builds still to come. */
class Builder {
  private readonly parts = new Set<Part>();
  /** The relations whose window view exists (trace-window.ts). */
  private readonly windowed = new Set<Relation>();

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly trace: string | TraceSource,
    /** A regular file, which each build may read again. */
    private readonly rereadable: boolean,
    private readonly opts: TraceDatabaseOptions,
  ) {}

  private get materialize(): boolean {
    return this.opts.materialize ?? true;
  }

  builtRelations(): Relation[] {
    return relationsOf(PARTS.filter((p) => this.parts.has(p)));
  }

  /** A reused `db` file: its parts are those whose relations all exist. */
  async readCatalog(): Promise<void> {
    const reader = await this.connection.runAndReadAll(
      `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
       UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`,
    );
    const present = new Set(reader.getRowsJS().map((r) => String(r[0])));
    // The file's `results` are the whole trace's: a window replays for its own.
    for (const part of PARTS) if (relationsOf([part]).every((r) => present.has(r)) && !(this.opts.window && part === 'results')) this.parts.add(part);
  }

  /**
   * A window's schema, empty, before any build; and none left in a `db`
   * file by an earlier windowed run that could not remove it (a process
   * killed).
   */
  async setUpWindow(inFile: boolean): Promise<void> {
    if (inFile) await this.connection.run(`DROP SCHEMA IF EXISTS ${WINDOW_SCHEMA} CASCADE`);
    if (this.opts.window) await this.connection.run(`CREATE SCHEMA ${WINDOW_SCHEMA}`);
  }

  async wantedAtOpen(build: NonNullable<TraceDatabaseOptions['build']>): Promise<Iterable<Relation>> {
    if (build === 'all' || !this.rereadable) return RELATIONS;
    if ('relations' in build) return build.relations;
    return this.namedIn(build.statements);
  }

  async prepare(statements: readonly string[], shownAs = statements.join('; ')): Promise<void> {
    await this.build(await this.namedIn(statements), shownAs);
  }

  /** Builds the parts of `relations` not built yet, in one transaction; undefined when there were none. `statement` reads them. */
  async build(relations: Iterable<Relation>, statement?: string): Promise<LoadSummary | undefined> {
    const missing = partsFor(this.withWindow(relations), this.materialize).filter((p) => !this.parts.has(p));
    if (missing.length === 0) return undefined;
    return this.inMain(() => this.inTransaction(() => this.buildParts(missing), statement));
  }

  /** In a window, the replay comes first: it resolves the window's instants, which its views need. */
  private withWindow(relations: Iterable<Relation>): Iterable<Relation> {
    return this.opts.window ? [...relations, 'results'] : relations;
  }

  /**
   * Runs a build of relations in `main`, whose views must bind their names
   * there; then, in a window, creates the window's views of what it built
   * and lets statements see the window's schema first.
   */
  private async inMain<T>(build: () => Promise<T>): Promise<T> {
    const window = this.opts.window;
    if (!window) return build();
    await this.connection.run(`SET search_path = 'main'`);
    try {
      const result = await build();
      const report = await readWindowReport(this.connection);
      for (const r of this.builtRelations()) {
        if (this.windowed.has(r)) continue;
        const sql = windowViewSql(r, window, report);
        if (sql !== undefined) await this.connection.run(sql);
        this.windowed.add(r);
      }
      return result;
    } finally {
      await this.connection.run(`SET search_path = '${WINDOW_SCHEMA},main'`);
    }
  }

  /** Replaces a `db` file's tables and records the fingerprint they were loaded from, all in one transaction. */
  async reload(fp: TraceFingerprint, relations: Iterable<Relation>): Promise<LoadSummary> {
    return this.inMain(() => this.inTransaction(async () => {
      await dropTraceTables(this.connection);
      await this.connection.run(`DROP TABLE IF EXISTS ${LOAD_TABLE}`);
      const summary = await this.buildParts(partsFor(this.withWindow(relations), this.materialize));
      await this.connection.run(
        `CREATE TABLE ${LOAD_TABLE} (path VARCHAR, size BIGINT, mtime_ns BIGINT, sample_sha256 VARCHAR, load_key VARCHAR, loaded_at TIMESTAMPTZ)`,
      );
      await this.connection.run(`INSERT INTO ${LOAD_TABLE} VALUES ($1, $2, $3, $4, $5, now())`, [fp.path, fp.size, fp.mtime_ns, fp.sample_sha256, fp.load_key]);
      return summary;
    }));
  }

  private async namedIn(statements: readonly string[]): Promise<Set<Relation>> {
    const named = new Set<Relation>();
    for (const statement of statements) for (const r of await relationsNamedIn(this.connection, statement)) named.add(r);
    return named;
  }

  /** Opens the trace for one build (an open source is the caller's, read at open only), and closes it. */
  private async buildParts(parts: Part[]): Promise<LoadSummary> {
    const open = this.opts.open ?? {};
    const source = typeof this.trace === 'string' ? await openTrace(this.trace, open) : withOverrides(this.trace, open);
    try {
      const summary = await buildParts(this.connection, source, parts, {
        built: this.parts,
        ...(typeof this.trace === 'string' && this.rereadable ? { reopen: { path: this.trace, open } } : {}),
        ...(this.opts.onProgress ? { onProgress: this.opts.onProgress } : {}),
        materialize: this.opts.materialize ?? true,
        ...(this.opts.window ? { window: this.opts.window } : {}),
      });
      for (const p of parts) this.parts.add(p);
      return summary;
    } finally {
      if (typeof this.trace === 'string') await source.close();
    }
  }

  /** A build is all or nothing: a failed one leaves no relation behind that would pass for built. */
  private async inTransaction<T>(work: () => Promise<T>, statement = 'BEGIN TRANSACTION'): Promise<T> {
    const before = [...this.parts];
    try {
      await this.connection.run('BEGIN TRANSACTION');
    } catch (err) {
      // The user's own transaction (the shell, a script): its ROLLBACK would take our tables with it.
      throw new QueryError(
        `${err instanceof Error ? err.message : String(err)}: a relation is built the first time a statement reads it, outside a transaction; read it once before BEGIN`,
        statement,
      );
    }
    try {
      const result = await work();
      await this.connection.run('COMMIT');
      return result;
    } catch (err) {
      // A failed write (a full disk) may have ended the transaction already: ROLLBACK's own error would then hide the cause.
      await this.connection.run('ROLLBACK').catch(() => undefined);
      this.parts.clear();
      for (const p of before) this.parts.add(p);
      throw err;
    }
  }
}

/** What, besides the trace file, decides the tables' content: a `db` file loaded with other values is loaded again. */
export async function loadKey(opts: TraceDatabaseOptions): Promise<Record<string, unknown>> {
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
export async function createSpillDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blocktime-db-')).catch((err: unknown) => {
    throw asWriteError(err, `${tmpdir()} (for DuckDB's spill directory; TMPDIR chooses where)`);
  });
  holdTemporaryPath(dir);
  return dir;
}

/** Synchronous, as close() is: a directory of spill files, and perhaps the temporary database. */
export function removeSpillDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  releaseTemporaryPath(dir);
}

/**
 * DuckDB's settings for every database blocktime opens: past its memory
 * limit (database-limits.ts) DuckDB spills to `temp_directory` rather than
 * failing. `file` undefined: in memory; `db`: the user's file, named in errors.
 */
export async function createInstance(file: string | undefined, spill: string, limits: DatabaseLimits, db: string | undefined): Promise<DuckDBInstance> {
  const settings = { temp_directory: spill, ...limitSettings(limits) };
  if (file === undefined) return DuckDBInstance.create(':memory:', settings);
  if (db === undefined) return DuckDBInstance.create(file, settings);
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
  if (names.length === 0 || names.includes(LOAD_TABLE)) return;
  const shown = names.length > 5 ? [...names.slice(0, 5), `and ${names.length - 5} more`] : names;
  throw new InputError(
    { file: db },
    `a DuckDB database blocktime did not make (it holds ${shown.join(', ')}), left as it is: --db takes a new file or one an earlier --db made`,
  );
}

/** The fingerprint of the load a database holds; undefined when it holds none (or a table of that name we did not write). */
async function storedFingerprint(connection: DuckDBConnection): Promise<TraceFingerprint | undefined> {
  const tables = await connection.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = '${LOAD_TABLE}'`);
  if (tables.getRowsJS()[0]?.[0] === 0n) return undefined;
  const rows = (await connection.runAndReadAll(`SELECT path, size, mtime_ns, sample_sha256, load_key FROM ${LOAD_TABLE}`)).getRowsJS();
  const [path, size, mtime_ns, sample_sha256, load_key] = rows[0] ?? [];
  if (rows.length !== 1 || typeof path !== 'string' || typeof load_key !== 'string') return undefined;
  return { path, size, mtime_ns, sample_sha256, load_key } as TraceFingerprint;
}

function reloadReason(stored: TraceFingerprint, now: TraceFingerprint): ReloadReason {
  if (stored.path !== now.path) return 'other trace';
  return stored.load_key === now.load_key ? 'trace changed' : 'other options';
}

/** The load a `db` file holds: its trace and the options it was read with. */
export interface StoredLoad {
  /** The trace file, an absolute path. */
  path: string;
  /** The options given at its load (N, page size, format); reading it again with them finds the load still current. */
  open: Pick<OpenOptions, 'vcpus' | 'pageSize' | 'format'>;
}

/**
 * The load `db` holds, read without changing the file (and without creating
 * it); undefined when there is no such file or it holds no load.
 */
export async function storedLoad(db: string): Promise<StoredLoad | undefined> {
  if (!(await exists(db))) return undefined;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  } catch (err) {
    throw duckdbFileError(err) ?? new InputError({ file: db }, `cannot open as a DuckDB database: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const connection = await instance.connect();
    try {
      const fp = await storedFingerprint(connection);
      if (fp === undefined) return undefined;
      const key = JSON.parse(fp.load_key) as { vcpus?: number | null; pageSize?: number | null; format?: OpenOptions['format'] | null };
      return {
        path: fp.path,
        open: {
          ...(typeof key.vcpus === 'number' ? { vcpus: key.vcpus } : {}),
          ...(typeof key.pageSize === 'number' ? { pageSize: key.pageSize } : {}),
          ...(typeof key.format === 'string' ? { format: key.format } : {}),
        },
      };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The size of a regular file, which can be read again; undefined for a pipe, a device or stdin. */
async function regularFileSize(path: string): Promise<number | undefined> {
  if (path === '-') return undefined;
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    // openTrace says what is wrong with the path.
    return undefined;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
