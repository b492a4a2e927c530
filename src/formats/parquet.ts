/**
 * Parquet: named so that a .parquet file gets a useful answer. `blocktime
 * export` writes it (with DuckDB); reading it back is left to DuckDB.
 */
import type { FormatEntry } from './format.js';

export const PARQUET = {
  name: 'parquet',
  title: 'Parquet',
  extensions: ['.parquet'],
  magic: (head) => Buffer.from(head.buffer, head.byteOffset, Math.min(4, head.length)).toString('latin1') === 'PAR1',
  readInstead: "convert it to Arrow (e.g. with DuckDB: COPY ... TO 'x.arrow')",
  writeInstead: 'Parquet: blocktime export',
} as const satisfies FormatEntry;
