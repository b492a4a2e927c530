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

/**
 * Creates the views; those named in `materialize` become tables holding the
 * same rows (computed once instead of at every query).
 */
export async function createViews(connection: DuckDBConnection, opts: { materialize?: readonly ViewName[] } = {}): Promise<void> {
  for (const view of await readViews()) await createView(connection, view.name, { asTable: opts.materialize?.includes(view.name) ?? false });
}

/** One view (the relations it reads must exist), or a table of its rows. */
export async function createView(connection: DuckDBConnection, name: ViewName, opts: { asTable?: boolean } = {}): Promise<void> {
  const view = (await readViews()).find((v) => v.name === name)!;
  await connection.run(opts.asTable ? asTable(view) : view.sql);
}

function asTable(view: ViewSql): string {
  const head = `CREATE OR REPLACE VIEW ${view.name} AS`;
  const at = view.sql.indexOf(head);
  if (at < 0) throw new Error(`${view.name}.sql does not start its statement with "${head}"`);
  const query = view.sql.slice(at + head.length).trim().replace(/;$/, '');
  // Not sorted by seq: that sort cost a fifth of the build and most of its peak memory. Queries that need trace order say ORDER BY seq.
  return `CREATE OR REPLACE TABLE ${view.name} AS\n${query};`;
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
--   events(seq BIGINT, t_ns BIGINT, kind VARCHAR ('vcpu'|'fault'|'resolve'),
--          tid UINTEGER, addr UBIGINT, cpu INTEGER)   -- in trace order by seq
--   trace_meta(page_size UBIGINT, vcpus INTEGER)       -- vcpus NULL: highest cpu + 1
-- For example, in DuckDB over the output of \`blocktime export TRACE OUT.parquet\`:
--   CREATE VIEW events AS SELECT * FROM read_parquet('OUT.parquet');
--   CREATE TABLE trace_meta AS SELECT ${inputs.pageSize}::UBIGINT AS page_size, ${vcpus}::INTEGER AS vcpus;
`;
  const views = await readViews();
  return [header, ...views.map((v) => v.sql.trimEnd() + '\n')].join('\n');
}
