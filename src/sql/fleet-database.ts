/**
 * Many traces as one DuckDB database, for `blocktime query DIR-or-paths...`:
 * every relation of a trace database (relations.ts) with a `trace` column
 * in front (the trace's path as given), and `traces`, one row per trace with
 * its metadata, so that `SELECT trace, max(latency_ns) FROM faults GROUP BY
 * trace` answers for the fleet (as Batch Trace Processor's
 * `query_and_flatten`, without holding every trace in memory).
 *
 * Each trace is loaded as a single trace is (trace-database.ts: the same
 * parts, built the first time a statement reads them, the same workers),
 * into a DuckDB file of its own, attached to one instance under the name
 * `trace_<n>` and `USE`d by a connection of its own: the build code writes
 * to "its" database unchanged, and loads of several traces run at once
 * (`jobs`) on separate connections. The fleet's relations are then views
 * over the traces' tables, `UNION ALL` with the trace's path as a constant
 * (DuckDB scans only the traces a `WHERE trace = ...` keeps), created once a
 * relation is built in every trace. Appending every trace into shared
 * tables instead would copy each row a second time for the same answers.
 *
 * The files live in the spill directory (removed on close), or with `db` in
 * `<db>.traces/`, each a `--db` file of its own, so a later run over the same
 * traces reuses each trace's load while its file is unchanged.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { onEarlyStop } from '../early-stop.js';
import { InputError, asWriteError } from '../errors.js';
import type { OpenOptions } from '../formats/open.js';
import { type DatabaseLimits, databaseLimits, thisMachine } from './database-limits.js';
import { duckdbFileError } from './duckdb-file-error.js';
import { sqlString } from './copy-to-file.js';
import { RELATIONS, type Relation, tablesNamedIn } from './relations.js';
import { type Row, queryRows } from './run-sql.js';
import { type SafeMode, enterSafeMode } from './safe-mode.js';
import { traceId } from './trace-id.js';
import { fingerprintTrace } from './trace-fingerprint.js';
import { type TraceBuild, createInstance, createSpillDirectory, loadKey, removeSpillDirectory, startTraceBuild } from './trace-database.js';

/** The fleet's relations: each trace's, and `traces`. */
export const FLEET_RELATIONS = [...RELATIONS, 'traces'] as const;
export type FleetRelation = (typeof FLEET_RELATIONS)[number];

export interface FleetDatabaseOptions {
  /** The fleet's DuckDB file (its views and `traces`); the traces' own files go in `<db>.traces/`. */
  db?: string;
  /** How to read every trace (N, page size and format overrides apply to all). */
  open?: OpenOptions;
  /** Traces loaded at once (default: the machine's cores). */
  jobs?: number;
  /** What to build before returning: every relation, or those these statements read (default). */
  build?: 'all' | { statements: readonly string[] };
  safe?: SafeMode;
  /** A trace's load finished: how many of them have, of how many. */
  onTraceLoaded?(done: number, total: number): void;
}

export interface FleetDatabase {
  /** The fleet's relations, once built. Statements run on it directly must be `prepare`d. */
  readonly connection: DuckDBConnection;
  /** The traces, as given: the values of the `trace` column. */
  readonly traces: readonly string[];
  readonly spillDirectory: string;
  readonly limits: DatabaseLimits;
  prepare(statements: readonly string[], shownAs?: string): Promise<void>;
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): void;
}

/** The fleet's file in the spill directory, when no `db` is given. */
const FLEET_DATABASE = 'fleet.duckdb';

export async function openFleetDatabase(traces: readonly string[], opts: FleetDatabaseOptions = {}): Promise<FleetDatabase> {
  const sizes = await Promise.all(traces.map(fileSize));
  // One instance for all: its memory limit bounds the loads in flight together, as one large trace's would.
  const limits = databaseLimits(thisMachine(), Math.max(0, ...sizes.map((s) => s ?? 0)));
  const spill = await createSpillDirectory();
  const traceDir = opts.db !== undefined ? `${opts.db}.traces` : spill;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  const perTrace: DuckDBConnection[] = [];
  const cancelOnEarlyStop = onEarlyStop(() => {
    connection?.interrupt();
    for (const c of perTrace) c.interrupt();
  });
  const close = (): void => {
    cancelOnEarlyStop();
    for (const c of perTrace) c.closeSync();
    connection?.closeSync();
    instance?.closeSync();
    removeSpillDirectory(spill);
  };
  try {
    if (opts.db !== undefined) await mkdir(traceDir, { recursive: true }).catch((err: unknown) => Promise.reject(asWriteError(err, traceDir)));
    instance = await createInstance(opts.db ?? join(spill, FLEET_DATABASE), spill, limits, opts.db);
    const conn = (connection = await instance.connect());
    if (opts.db === undefined) await conn.run('PRAGMA disable_checkpoint_on_shutdown');
    else await claimFleetFile(conn, opts.db, traces);
    // Attached before safe mode, which forbids ATTACH.
    for (const [i] of traces.entries()) {
      await conn.run(`ATTACH ${sqlString(join(traceDir, `${i + 1}.duckdb`))} AS ${catalogOf(i)}`);
      const c = await instance.connect();
      perTrace.push(c);
      await c.run(`USE ${catalogOf(i)}`);
    }
    if (opts.safe) await enterSafeMode(conn, opts.safe);
    const fleet = new Fleet(conn, perTrace, traces, sizes, opts);
    await fleet.start();
    if (opts.build === 'all') await fleet.build(new Set(FLEET_RELATIONS));
    else if (opts.build !== undefined) await fleet.prepare(opts.build.statements);
    return {
      connection: conn,
      traces,
      spillDirectory: spill,
      limits,
      prepare: (statements) => fleet.prepare(statements),
      query: async (sql, params) => {
        await fleet.prepare([sql]);
        return queryRows(conn, sql, params);
      },
      close,
    };
  } catch (err) {
    close();
    throw duckdbFileError(err) ?? err;
  }
}

/** What is built of each trace, and the fleet's views over them. */
class Fleet {
  private builds: TraceBuild[] = [];
  /** Relations whose fleet view exists. */
  private readonly unioned = new Set<FleetRelation>();
  private ids: string[] | undefined;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly perTrace: readonly DuckDBConnection[],
    private readonly traces: readonly string[],
    private readonly sizes: readonly (number | undefined)[],
    private readonly opts: FleetDatabaseOptions,
  ) {}

  /** Opens each trace's build (a `db` file's load is checked against the trace, and replaced when stale); builds nothing else. */
  async start(): Promise<void> {
    const key = this.opts.db !== undefined ? await loadKey({ ...(this.opts.open ? { open: this.opts.open } : {}) }) : undefined;
    this.builds = await this.eachTrace(async (trace, i) =>
      startTraceBuild(this.perTrace[i]!, trace, {
        ...(this.opts.open ? { open: this.opts.open } : {}),
        rereadable: this.sizes[i] !== undefined,
        build: { relations: [] },
        ...(key !== undefined ? { db: join(`${this.opts.db}.traces`, `${i + 1}.duckdb`), fingerprint: await fingerprintTrace(trace, key) } : {}),
      }),
    );
  }

  async prepare(statements: readonly string[]): Promise<void> {
    const named = new Set<FleetRelation>();
    for (const s of statements) for (const r of await tablesNamedIn(this.connection, s, FLEET_RELATIONS)) named.add(r);
    await this.build(named);
  }

  /** Builds `relations` in every trace, `jobs` traces at a time, then their fleet views. */
  async build(relations: Set<FleetRelation>): Promise<void> {
    const missing = [...relations].filter((r) => !this.unioned.has(r));
    if (missing.length === 0) return;
    const perTrace = new Set<Relation>(missing.flatMap((r): Relation[] => (r === 'traces' ? ['trace_meta'] : [r])));
    let done = 0;
    await this.eachTrace(async (_trace, i) => {
      await this.builds[i]!.ensure(perTrace);
      this.opts.onTraceLoaded?.(++done, this.traces.length);
    });
    // Every relation built in all traces gets its view: a build may make more than was asked (results and analysis, all_down_intervals and what it reads).
    const everywhere = RELATIONS.filter((r) => this.builds.every((b) => b.built().includes(r)));
    for (const r of everywhere) if (!this.unioned.has(r)) await this.createUnion(r);
    if (missing.includes('traces')) await this.createTraces();
  }

  private async createUnion(relation: Relation): Promise<void> {
    const parts = this.traces.map((trace, i) => `SELECT ${sqlString(trace)} AS trace, * FROM ${catalogOf(i)}.${relation}`);
    await this.connection.run(`CREATE OR REPLACE VIEW main.${relation} AS\n${parts.join('\nUNION ALL\n')}`);
    this.unioned.add(relation);
  }

  private async createTraces(): Promise<void> {
    this.ids ??= await this.eachTrace((trace) => traceId(trace));
    const ids = this.ids;
    const rows = this.traces.map(
      (trace, i) =>
        `SELECT ${sqlString(trace)} AS trace, ${sqlString(ids[i]!)} AS trace_id, path, format, source,
        coalesce(source->>'qemu_version', source->>'qemu') AS qemu_version, page_size, vcpus, start_ns, events
        FROM ${catalogOf(i)}.trace_meta`,
    );
    await this.connection.run(`CREATE OR REPLACE TABLE main.traces AS\n${rows.join('\nUNION ALL\n')}`);
    this.unioned.add('traces');
  }

  /**
   * `work` on each trace, `jobs` at a time, results in trace order. A
   * failure stops starting more; the first failing trace's error (in
   * trace order) is thrown once those running have ended.
   */
  private async eachTrace<T>(work: (trace: string, i: number) => Promise<T>): Promise<T[]> {
    const jobs = Math.max(1, this.opts.jobs ?? thisMachine().cpus);
    const results: T[] = new Array<T>(this.traces.length);
    const errors = new Map<number, unknown>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.traces.length && errors.size === 0) {
        const i = next++;
        try {
          results[i] = await work(this.traces[i]!, i);
        } catch (err) {
          errors.set(i, err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, this.traces.length) }, worker));
    if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
    return results;
  }
}

/** The table that marks a `db` file as a fleet's, listing its traces. */
const FLEET_TABLE = 'blocktime_fleet';

/**
 * A `db` file is taken when it is new or a fleet's (it holds FLEET_TABLE),
 * never another database: the fleet's views would replace its relations of
 * the same names. A single trace's `--db` file is not a fleet's either.
 */
async function claimFleetFile(connection: DuckDBConnection, db: string, traces: readonly string[]): Promise<void> {
  const here = 'database_name = current_database() AND NOT internal';
  const reader = await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE ${here} UNION ALL SELECT view_name FROM duckdb_views() WHERE ${here} ORDER BY 1`,
  );
  const names = reader.getRowsJS().map((r) => String(r[0]));
  if (names.length > 0 && !names.includes(FLEET_TABLE)) {
    throw new InputError({ file: db }, `not a database blocktime made for several traces (it holds ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}), left as it is: --db with several traces takes a new file or one an earlier such run made`);
  }
  await connection.run(`CREATE OR REPLACE TABLE ${FLEET_TABLE} (n INTEGER, trace VARCHAR)`);
  for (const [i, trace] of traces.entries()) await connection.run(`INSERT INTO ${FLEET_TABLE} VALUES ($1, $2)`, [i + 1, trace]);
}

/** The catalog a trace's database is attached as (1-based, in trace order). */
export function catalogOf(i: number): string {
  return `trace_${i + 1}`;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    // Opening the trace says what is wrong with the path.
    return undefined;
  }
}
