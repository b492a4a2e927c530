/**
 * The relations a trace database offers, and which of them a statement
 * reads: the database builds only those (load.ts), so a question about
 * `events` never pays for the replay behind `results`, nor one about
 * `results` for the append behind `events`.
 *
 * A SELECT (DESCRIBE and SHOW included) is parsed by DuckDB
 * (`json_serialize_sql`), and the tables it names are read off the tree.
 * Any other statement (COPY, CREATE TABLE AS, PRAGMA, ...) cannot be
 * serialized: for those the statement's text is searched for the names as
 * whole words, which can only name too many (a column called `faults`, a
 * word in a string), never too few. A statement that lists the catalog
 * (`information_schema`, `duckdb_tables()`, SHOW TABLES, the shell's
 * `.tables`) reads them all: it must find every relation there.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const RELATIONS = ['events', 'trace_meta', 'vcpus', 'faults', 'blocked_intervals', 'all_down_intervals', 'results', 'analysis', 'phases', 'fault_legs'] as const;
export type Relation = (typeof RELATIONS)[number];

const CATALOG = /\b(information_schema|pg_catalog|duckdb_(tables|views|columns|constraints|indexes|dependencies)|show_tables(_expanded)?|sqlite_master)\b|^\s*show\s+(all\s+)?tables\b/i;

/** The relations `statement` names (before following views: load.ts knows what each needs). */
export async function relationsNamedIn(connection: DuckDBConnection, statement: string): Promise<Set<Relation>> {
  return tablesNamedIn(connection, statement, RELATIONS);
}

/** Which of `names` `statement` names (a fleet's adds `traces` to the relations). */
export async function tablesNamedIn<T extends string>(connection: DuckDBConnection, statement: string, names: readonly T[]): Promise<Set<T>> {
  if (CATALOG.test(statement)) return new Set(names);
  let tree: { error?: boolean };
  try {
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [statement]);
    tree = JSON.parse(String(reader.getRowsJS()[0]?.[0])) as { error?: boolean };
  } catch {
    // DuckDB runs nothing in a transaction that failed: the statement will say so itself.
    return byWord(statement, names);
  }
  if (tree.error) return byWord(statement, names);
  const named = new Set<T>();
  collectBaseTables(tree, names, named);
  return named;
}

/** Whole-word, case-insensitive matches of the relation names: a superset of what the statement reads. */
export function relationsByWord(statement: string): Set<Relation> {
  return byWord(statement, RELATIONS);
}

function byWord<T extends string>(statement: string, names: readonly T[]): Set<T> {
  const named = new Set<T>();
  for (const match of statement.toLowerCase().matchAll(/[a-z_][a-z0-9_]*/g)) if ((names as readonly string[]).includes(match[0])) named.add(match[0] as T);
  return named;
}

function collectBaseTables<T extends string>(node: unknown, names: readonly T[], into: Set<T>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectBaseTables(item, names, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (record.type === 'BASE_TABLE' && typeof record.table_name === 'string') {
    const name = record.table_name.toLowerCase();
    if ((names as readonly string[]).includes(name)) into.add(name as T);
  }
  for (const value of Object.values(record)) collectBaseTables(value, names, into);
}
