/**
 * The trace model over a Parquet file, in DuckDB's SQL: which column types
 * we accept, and the one SELECT list that turns them into the model's exact
 * types. The replay's reader (parquet-reader.ts) streams that SELECT; the
 * SQL `events` relation over a Parquet trace is a view of the same
 * conversions without the row checks, which the load's replay has made.
 *
 * Our own files (`blocktime export`) have the model's types already, with
 * `kind` as text; files of other tools may use any integer width, `kind` as
 * text or as codes, a timestamp for `t_ns`, nulls. A value the model cannot
 * hold ends the scan in DuckDB's `error()` with a message that names the
 * row, the column and the value (see `parquetRowError`), since DuckDB, not
 * our code, looks at every row. (DuckDB scans row groups in parallel: of
 * two bad rows far apart, either may be the one named.)
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors.js';
import { metaFromEntries } from './meta-entries.js';
import { COLUMNS, KIND_NAMES, KIND_SQL_TYPE, Kind, type TraceMeta } from './schema.js';

type ColumnName = (typeof COLUMNS)[number];

export interface ParquetLayout {
  /** `t_ns, kind, tid, addr, cpu` in the model's types (BIGINT, the kind ENUM, UINTEGER, UBIGINT, INTEGER), never null, every row checked. */
  readonly select: string;
  /** The same columns, converted without checks: for a view over a file `select` has read to the end without an error. */
  readonly viewSelect: string;
  /** `read_parquet(...)` of the file, with the `file_row_number` the select's messages cite. */
  readonly scan: string;
  readonly meta: TraceMeta;
  readonly rows: number;
}

/** The kind codes as a DuckDB ENUM: with four values it is stored as one byte, the code itself. */

/** The model's column types in DuckDB (`addr`: a view must hold it unsigned, whatever the file). */
const SQL_TYPES: Record<ColumnName, string> = { t_ns: 'BIGINT', kind: KIND_SQL_TYPE, tid: 'UINTEGER', addr: 'UBIGINT', cpu: 'INTEGER' };

/** What a column's values mean, for messages about a row. */
const EXPECTED: Record<ColumnName, string> = {
  t_ns: 'a signed 64-bit integer of nanoseconds',
  kind: 'vcpu, fault or resolve',
  tid: 'an unsigned 32-bit integer',
  addr: 'an unsigned 64-bit integer',
  cpu: 'a signed 32-bit integer',
};

/** The column types accepted, for messages about the file. */
const ACCEPTED: Record<ColumnName, string> = {
  t_ns: 'an integer type or a timestamp',
  kind: 'text (vcpu, fault, resolve, erase) or integer codes (0 to 3)',
  tid: 'an integer type',
  addr: 'an integer type',
  cpu: 'an integer type',
};

/** The types DuckDB reads Parquet's integers as (it has no wider ones), and its timestamps (millisecond ones read as TIMESTAMP). */
const INTEGERS = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'];
const TIMESTAMPS = ['TIMESTAMP_NS', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'];

const TAG = 'blocktime-parquet';

/** Ends the scan at this row, saying the column and its value (`null` for a null). */
function fail(column: ColumnName, value: string | null): string {
  const what = value === null ? `'null'` : `'value ' || ${value}::VARCHAR`;
  return `error('${TAG} row ' || (file_row_number + 1) || ' column ${column} ' || ${what})`;
}

const quoted = (name: string): string => `"${name}"`;

/**
 * How a column's values are checked: `row by row` ends the scan at the first
 * the model cannot hold (the replay's reader); `read before` trusts that the
 * same file went through that reader already (the SQL view, built by a load
 * that replays it), and only converts, so DuckDB can push filters down.
 */
type Checks = 'row by row' | 'read before';

/** An integer column within [min, max] as `sqlType`; null as `ifNull` (or a failure when undefined). */
function integer(column: ColumnName, type: string, sqlType: string, range: [string, string], ifNull: string | undefined, checks: Checks): string {
  const c = quoted(column);
  const value = type === sqlType ? c : `${c}::${sqlType}`;
  const withDefault = `coalesce(${value}, ${ifNull}::${sqlType})`;
  if (checks === 'read before') return ifNull === undefined ? value : withDefault;
  const onNull = ifNull ?? fail(column, null);
  // Already the model's type: only nulls to look at.
  if (type === sqlType) return ifNull === undefined ? `CASE WHEN ${c} IS NULL THEN ${onNull} ELSE ${c} END` : withDefault;
  return `CASE WHEN ${c} IS NULL THEN ${onNull} WHEN ${c} BETWEEN ${range[0]} AND ${range[1]} THEN ${value} ELSE ${fail(column, c)} END`;
}

function columnExpression(column: ColumnName, type: string, checks: Checks): string | undefined {
  const c = quoted(column);
  const isInteger = INTEGERS.includes(type);
  const checked = checks === 'row by row';
  switch (column) {
    case 't_ns':
      if (TIMESTAMPS.includes(type)) return checked ? `CASE WHEN ${c} IS NULL THEN ${fail(column, null)} ELSE epoch_ns(${c}) END` : `epoch_ns(${c})`;
      return isInteger ? integer(column, type, 'BIGINT', ['-9223372036854775808', '9223372036854775807'], undefined, checks) : undefined;
    case 'kind': {
      const names = type === 'VARCHAR';
      if (!names && !isInteger) return undefined;
      // Most rows are faults and resolves: tested first (measured: a tenth less CPU for the column than in code order).
      const cases = [Kind.fault, Kind.resolve, Kind.vcpu, Kind.erase].map((code) => `WHEN ${names ? `'${KIND_NAMES[code]}'` : code} THEN '${KIND_NAMES[code]}'::${KIND_SQL_TYPE}`).join(' ');
      if (!checked) return `CASE ${c} ${cases} END`;
      return `CASE WHEN ${c} IS NULL THEN ${fail(column, null)} ELSE CASE ${c} ${cases} ELSE ${fail(column, c)} END END`;
    }
    case 'tid':
      return isInteger ? integer(column, type, 'UINTEGER', ['0', '4294967295'], '0', checks) : undefined;
    case 'addr':
      // A signed int64 (Parquet's INT64 without the unsigned annotation, as Java tools write a uint64) holds the address's 64 bits.
      if (type === 'BIGINT') return `CASE WHEN ${c} IS NULL THEN 0 WHEN ${c} < 0 THEN (${c}::HUGEINT + 18446744073709551616)::UBIGINT ELSE ${c}::UBIGINT END`;
      return isInteger ? integer(column, type, 'UBIGINT', ['0', '18446744073709551615'], '0', checks) : undefined;
    case 'cpu':
      return isInteger ? integer(column, type, 'INTEGER', ['-2147483648', '2147483647'], '-1', checks) : undefined;
  }
}

export function parquetScan(path: string): string {
  return `read_parquet(${sqlString(path)}, file_row_number = true)`;
}

/**
 * The file's columns, checked, as the SELECT list that reads them, with its
 * `blocktime.*` key-value metadata and row count. `file` names it in messages.
 */
export async function describeParquet(connection: DuckDBConnection, path: string, file: string): Promise<ParquetLayout> {
  const scan = parquetScan(path);
  const [described, kv, counted] = await readOrFail(file, async () => [
    await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${scan})`),
    await connection.runAndReadAll(
      `SELECT decode(key), decode(value) FROM parquet_kv_metadata(${sqlString(path)}) WHERE starts_with(key::VARCHAR, 'blocktime.')`,
    ),
    await connection.runAndReadAll(`SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata(${sqlString(path)})`),
  ]);
  const types = new Map(described.getRowsJS().map(([name, type]) => [String(name), String(type)]));
  for (const name of COLUMNS) {
    const type = types.get(name);
    if (type === undefined) throw new InputError({ file }, `Parquet file has no column ${name} (expected ${name}: ${ACCEPTED[name]})`);
    if (columnExpression(name, type, 'row by row') === undefined) throw new InputError({ file }, `Parquet column ${name} has type ${type}, expected ${ACCEPTED[name]}`);
  }
  const selectList = (checks: Checks): string =>
    COLUMNS.map((name) => {
      const expression = columnExpression(name, types.get(name)!, checks)!;
      // The cast settles the type a CASE of mixed branches would widen (a no-op where it already is the type).
      return `(${expression})::${SQL_TYPES[name]} AS ${name}`;
    }).join(',\n  ');
  const meta = metaFromEntries(new Map(kv.getRowsJS().map(([k, v]) => [String(k), String(v)])), { label: 'key-value metadata', at: () => ({ file }) });
  return { select: selectList('row by row'), viewSelect: selectList('read before'), scan, meta, rows: Number(counted.getRowsJS()[0]?.[0] ?? 0) };
}

/** `read`, with DuckDB's errors as InputErrors naming the file (see `asParquetError`). */
export async function readOrFail<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw asParquetError(err, file);
  }
}

/** A DuckDB error while reading the file: a row the SELECT refused, or a file it cannot read (not Parquet, corrupt, unreadable). */
export function asParquetError(err: unknown, file: string): InputError {
  return parquetRowError(err, file) ?? new InputError({ file }, `cannot read as Parquet: ${duckdbMessage(err)}`);
}

const ROW_ERROR = new RegExp(`${TAG} row (\\d+) column (\\w+) (null|value ([\\s\\S]*))$`);

/** The InputError of a row the SELECT refused (the `error()` calls above), or undefined for any other error. */
function parquetRowError(err: unknown, file: string): InputError | undefined {
  const m = ROW_ERROR.exec(duckdbMessage(err));
  if (!m) return undefined;
  const [, row, column, , value] = m;
  const where = { file, row: Number(row) };
  const name = column as ColumnName;
  // Only t_ns and kind refuse nulls; a null tid, addr or cpu reads as 0, 0, -1 (as in Arrow and CSV).
  if (value === undefined) return new InputError(where, `null ${name}; expected ${EXPECTED[name]}`);
  if (name === 'kind') {
    return /^-?[0-9]+$/.test(value)
      ? new InputError(where, `kind code ${value}; expected 0 (vcpu), 1 (fault) or 2 (resolve)`)
      : new InputError(where, `unknown kind ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)}; expected vcpu, fault or resolve`);
  }
  return new InputError(where, `column ${name}: ${value} is out of range; expected ${EXPECTED[name]}`);
}

/** DuckDB's message without the SQL excerpt it appends ("LINE 1: ..."). */
function duckdbMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n\nLINE ')[0]!.trim();
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
