/**
 * Runs users' SQL: each statement on its own, so a failure names the one
 * that failed, with DuckDB's message (a QueryError, exit 2, no stack trace).
 * Every statement a user or a program hands blocktime runs through here.
 */
import { type DuckDBConnection, type DuckDBResult, ResultReturnType } from '@duckdb/node-api';
import { QueryError } from '../errors.js';
import { duckdbFileError } from './duckdb-file-error.js';

/** DuckDB's message when `DuckDBConnection.interrupt()` stopped a query. */
export function isInterrupt(err: unknown): boolean {
  return err instanceof QueryError && /\bInterrupt(ed)?\b/i.test(err.message);
}

/** `shownAs`: the statement named in an error, when `statement` wraps the user's (as COPY does). */
export async function runStatement(connection: DuckDBConnection, statement: string, shownAs = statement): Promise<DuckDBResult> {
  try {
    return await connection.stream(statement);
  } catch (err) {
    throw asQueryError(err, shownAs);
  }
}

/** Whether a result has rows to show (a SELECT, SHOW, DESCRIBE...), not just a count of changed rows or nothing. */
export function hasRows(result: DuckDBResult): boolean {
  return result.returnType === ResultReturnType.QUERY_RESULT;
}

/** A row of a query result: DuckDB values as JavaScript (BIGINT as `bigint`, exact; cast to DOUBLE for plotting). */
export type Row = Record<string, unknown>;

/** One statement, read whole: for programs (the public API), where the rows are wanted as objects. */
export async function queryRows(connection: DuckDBConnection, statement: string, params?: readonly unknown[]): Promise<Row[]> {
  try {
    const reader = await connection.runAndReadAll(statement, params as never);
    return reader.getRowObjectsJS() as Row[];
  } catch (err) {
    // node-api's own errors here ("Failed to bind value: ...", "Cannot create values of type ANY") are about the caller's parameters: bad input too.
    throw asQueryError(err, statement, { anyError: true });
  }
}

/**
 * Consumes a streaming result with `consume`; errors raised while fetching
 * (most runtime errors surface there, not when the statement starts) also
 * become QueryErrors naming the statement.
 */
export async function consumeResult<T>(statement: string, consume: () => Promise<T>): Promise<T> {
  try {
    return await consume();
  } catch (err) {
    throw asQueryError(err, statement);
  }
}

function asQueryError(err: unknown, statement: string, opts: { anyError?: boolean } = {}): unknown {
  if (err instanceof QueryError) return err;
  const fileError = duckdbFileError(err);
  if (fileError) return fileError;
  // DuckDB's errors are plain Errors whose message starts with the kind: "Parser Error: ...", "Catalog Error: ...".
  // node-api puts its own words before the parser's when it cannot split the text into statements (a syntax error).
  const message = err instanceof Error ? err.message.replace(/^Failed to extract statements:\s*/, '') : '';
  if (err instanceof Error && (opts.anyError || /^[A-Za-z ]*(Error|Exception)\b/.test(message))) return new QueryError(message, statement);
  return err;
}
