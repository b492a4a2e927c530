/**
 * The analysis views, kept as plain SQL files in `src/sql/views/` so that
 * `blocktime query --print-views` can hand the very same text to another
 * engine. They are read at run time relative to the package root, which is
 * two levels above both `src/sql/` and `dist/sql/` ("files" ships `src`).
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';

/** In dependency order. Each file defines the view of its name, over `events` and `trace_meta`. */
export const VIEW_NAMES = ['vcpus', 'faults', 'blocked_intervals', 'all_down_intervals'] as const;

const VIEWS_DIR = new URL('../../src/sql/views/', import.meta.url);

export interface ViewSql {
  name: ViewName;
  sql: string;
}

export async function readViews(): Promise<ViewSql[]> {
  return Promise.all(VIEW_NAMES.map(async (name) => ({ name, sql: await readFile(new URL(`${name}.sql`, VIEWS_DIR), 'utf8') })));
}

export type ViewName = (typeof VIEW_NAMES)[number];

/** The views whose window passes the others read: worth building as tables when queried more than once. */
export const MATERIALIZED_VIEWS: readonly ViewName[] = ['faults', 'blocked_intervals'];

export interface CreateViewsOptions {
  /** Views to build as tables holding the same rows, from their SQL (computed once instead of at every query). */
  materialize?: readonly ViewName[];
  /** Relations the load has already filled as tables (derived-tables.ts): not created. */
  existing?: readonly ViewName[];
}

/** Creates the views, but for those `existing`; those named in `materialize` become tables. */
export async function createViews(connection: DuckDBConnection, opts: CreateViewsOptions = {}): Promise<void> {
  for (const view of await readViews()) {
    if (opts.existing?.includes(view.name)) continue;
    // Not sorted by seq: that sort cost a fifth of the build and most of its peak memory. Queries that need trace order say ORDER BY seq.
    const sql = opts.materialize?.includes(view.name) ? `CREATE OR REPLACE TABLE ${view.name} AS\n${queryOf(view)};` : view.sql;
    await connection.run(sql);
  }
}

/** One view (the relations it reads must exist). */
export async function createView(connection: DuckDBConnection, name: ViewName): Promise<void> {
  await connection.run((await readViews()).find((v) => v.name === name)!.sql);
}

/** The SELECT that defines view `name`, without its CREATE: to run it restricted, or into a table. */
export async function viewQuery(name: ViewName): Promise<string> {
  return queryOf({ name, sql: await readFile(new URL(`${name}.sql`, VIEWS_DIR), 'utf8') });
}

function queryOf(view: ViewSql): string {
  const head = `CREATE OR REPLACE VIEW ${view.name} AS`;
  const at = view.sql.indexOf(head);
  if (at < 0) throw new Error(`${view.name}.sql does not start its statement with "${head}"`);
  return view.sql.slice(at + head.length).trim().replace(/;$/, '');
}

/** What the views need, for the header of `--print-views`: the trace's values when one is named. */
export interface ViewInputs {
  pageSize: number;
  vcpus?: number;
}

/**
 * The views as one script for another engine: a header saying which two
 * relations it reads and how to declare them over `blocktime export`
 * Parquet, then each view's file as it is.
 */
export async function printableViews(inputs: ViewInputs = { pageSize: 4096 }): Promise<string> {
  const vcpus = inputs.vcpus === undefined ? 'NULL' : String(inputs.vcpus);
  const header = `-- blocktime analysis views: the \`exact\` variant of docs/blocktime.md in SQL (docs/sql.md).
-- They read two relations, which you declare first:
--   events(seq BIGINT, t_ns BIGINT, kind VARCHAR ('vcpu'|'fault'|'resolve'|'erase'),
--          tid UINTEGER, addr UBIGINT, cpu INTEGER)   -- in trace order by seq
--   trace_meta(page_size UBIGINT, vcpus INTEGER)       -- vcpus NULL: highest cpu + 1
-- For example, in DuckDB over the output of \`blocktime export TRACE OUT.parquet\`:
--   CREATE VIEW events AS SELECT * FROM read_parquet('OUT.parquet');
--   CREATE TABLE trace_meta AS SELECT ${inputs.pageSize}::UBIGINT AS page_size, ${vcpus}::INTEGER AS vcpus;
`;
  const views = await readViews();
  return [header, ...views.map((v) => v.sql.trimEnd() + '\n')].join('\n');
}

const FLEET_VIEWS_DIR = new URL('fleet/', VIEWS_DIR);

/** The fleet form of the views (src/sql/views/fleet/): each relation with a first column `trace`, every window partition and join by it. */
export async function readFleetViews(): Promise<ViewSql[]> {
  return Promise.all(VIEW_NAMES.map(async (name) => ({ name, sql: await readFile(new URL(`${name}.sql`, FLEET_VIEWS_DIR), 'utf8') })));
}

/**
 * The fleet views as one script, for many traces at once: over the dataset
 * `blocktime export --dataset` writes (hive-partitioned by `trace`), in
 * DuckDB, Spark SQL or Trino (docs/sql.md lists what their SQL avoids).
 */
export async function printableFleetViews(): Promise<string> {
  const header = `-- blocktime analysis views, fleet form: the \`exact\` variant of docs/blocktime.md in SQL
-- (docs/sql.md), for many traces at once; every relation has a first column \`trace\`.
-- They read two relations, which you declare first:
--   events(trace, seq BIGINT, t_ns BIGINT, kind VARCHAR ('vcpu'|'fault'|'resolve'),
--          tid UINTEGER, addr UBIGINT, cpu INTEGER)   -- each trace in order by seq
--   traces(trace, page_size UBIGINT, vcpus INTEGER, ...)  -- one row per trace; vcpus NULL: highest cpu + 1
-- For example, in DuckDB over the output of \`blocktime export --dataset OUT TRACES...\`:
--   CREATE VIEW events AS SELECT * FROM read_parquet('OUT/events/*/*.parquet', hive_partitioning = true, hive_types = {'trace': VARCHAR});
--   CREATE VIEW traces AS SELECT * FROM read_parquet('OUT/traces/*/*.parquet', hive_partitioning = true, hive_types = {'trace': VARCHAR});
-- (Spark SQL and Trino: the README's recipe.)
`;
  const views = await readFleetViews();
  return [header, ...views.map((v) => v.sql.trimEnd() + '\n')].join('\n');
}
