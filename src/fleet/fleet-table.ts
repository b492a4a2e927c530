/**
 * `-o fleet.parquet|csv|ndjson`: the fleet's rows as a table, one column per
 * scalar and lists as lists (rows.ts). The rows go to a scratch NDJSON file
 * that DuckDB reads back with every row sampled (so that a column's type is
 * the one all its values fit) and COPYs to the output, which appears under
 * its name only when complete (copy-to-file.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyToFile, fileFormatOf, sqlString } from '../sql/copy-to-file.js';
import { tableRows, type JsonRow } from './rows.js';

/** Refuses an output name whose format is not a table's, before any trace is read. */
export function checkFleetTablePath(path: string): void {
  fileFormatOf(path);
}

/** Writes `rows` (jsonRow's objects) to `path`; returns the rows written. */
export async function writeFleetTable(rows: readonly JsonRow[], path: string): Promise<number> {
  checkFleetTablePath(path);
  const table = tableRows(rows);
  const dir = await mkdtemp(join(tmpdir(), 'blocktime-fleet-'));
  try {
    const scratch = join(dir, 'rows.ndjson');
    await writeFile(scratch, table.rows.map((r) => JSON.stringify(r) + '\n').join(''));
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    try {
      const columns = table.columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
      // Selected by name, in the rows' order: read_json may order the keys it unites otherwise.
      const read = `SELECT ${columns} FROM read_json(${sqlString(scratch)}, format = 'newline_delimited', sample_size = -1, maximum_object_size = 1073741824)`;
      return await copyToFile(conn, read, path);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
