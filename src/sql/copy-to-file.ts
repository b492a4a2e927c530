/**
 * Writes a query's rows to a file with DuckDB's COPY, the format taken from
 * the extension, under a temporary name renamed when complete
 * (output-file.ts): a reader never sees half a file, and a failed or
 * interrupted query leaves the old file alone.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import { reserveOutput } from '../output-file.js';
import { consumeResult, runStatement } from './run-sql.js';

// USE_TMP_FILE false: the temporary name is already ours; DuckDB's own (tmp_NAME, when NAME exists) would be a second path for --safe to allow and for us to clean up.
export const FILE_FORMATS = {
  parquet: '(FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)',
  csv: '(FORMAT csv, HEADER true, USE_TMP_FILE false)',
  json: '(FORMAT json, ARRAY true, USE_TMP_FILE false)',
  ndjson: '(FORMAT json, USE_TMP_FILE false)',
} as const;
export type FileFormat = keyof typeof FILE_FORMATS;

const EXTENSIONS: Record<string, FileFormat> = { '.parquet': 'parquet', '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

export function fileFormatOf(path: string): FileFormat {
  const ext = Object.keys(EXTENSIONS).find((e) => path.toLowerCase().endsWith(e));
  if (!ext) throw new UsageError(`-o ${path}: expected a file ending in ${Object.keys(EXTENSIONS).join(', ')}`);
  return EXTENSIONS[ext]!;
}

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `source` is a query or a table name; `extra` adds COPY options (e.g. KV_METADATA). Returns the rows written. */
export async function copyToFile(connection: DuckDBConnection, source: string, path: string, extra = ''): Promise<number> {
  const copy = await copyToTemporary(connection, source, path, extra);
  await copy.commit();
  return copy.rows;
}

export interface PendingCopy {
  rows: number;
  /** Renames the temporary file to its final name. */
  commit(): Promise<void>;
  /** Removes the temporary file. */
  abort(): Promise<void>;
}

/** The COPY, to the temporary name only: for outputs that appear together or not at all. */
export async function copyToTemporary(connection: DuckDBConnection, source: string, path: string, extra = ''): Promise<PendingCopy> {
  const format = fileFormatOf(path);
  const reserved = reserveOutput(path);
  const tmp = reserved.temporary;
  const options = extra ? FILE_FORMATS[format].replace(/\)$/, `, ${extra})`) : FILE_FORMATS[format];
  const from = /^\w+$/.test(source) ? source : `(${source})`;
  const abort = reserved.discard;
  try {
    const result = await runStatement(connection, `COPY ${from} TO ${sqlString(tmp)} ${options}`, source);
    const rows = await consumeResult(source, async () => Number((await result.getRowsJS())[0]?.[0] ?? 0));
    return { rows, commit: reserved.commit, abort };
  } catch (err) {
    await abort();
    throw err;
  }
}
