/**
 * Query results as text: an aligned table for people, CSV, a JSON array or
 * NDJSON for programs. Results stream chunk by chunk (a few thousand rows
 * each); only the table keeps rows, and only the first and last ones it
 * shows. 64-bit integers are written exactly: JSON numbers with all their
 * digits, never rounded through a double.
 */
import {
  type DuckDBResult,
  type DuckDBValue,
  DuckDBArrayValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
} from '@duckdb/node-api';
import { renderTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Where text goes; resolves when the destination can take more (backpressure). */
export type TextSink = (text: string) => Promise<void>;

export interface FormatOptions {
  /** `table`: rows shown before the middle is elided (the first and last halves). */
  maxRows?: number;
}

export async function writeResult(result: DuckDBResult, format: OutputFormat, sink: TextSink, opts: FormatOptions = {}): Promise<number> {
  switch (format) {
    case 'table':
      return writeTable(result, sink, opts.maxRows ?? 40);
    case 'csv':
      return writeCsv(result, sink);
    case 'json':
    case 'ndjson':
      return writeJson(result, sink, format === 'json');
  }
}

async function writeCsv(result: DuckDBResult, sink: TextSink): Promise<number> {
  await sink(result.columnNames().map(csvField).join(',') + '\n');
  let rows = 0;
  for await (const chunk of result) {
    let text = '';
    for (const row of chunk.getRows()) text += row.map((v) => (v === null ? '' : csvField(plainText(v)))).join(',') + '\n';
    rows += chunk.rowCount;
    if (text) await sink(text);
  }
  return rows;
}

function csvField(s: string): string {
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeJson(result: DuckDBResult, sink: TextSink, array: boolean): Promise<number> {
  const keys = result.deduplicatedColumnNames().map((k) => JSON.stringify(k));
  // A JSON column (e.g. analysis.result) arrives as its text: embed it as is.
  const rawJson = result.columnTypes().map((t) => t.alias === 'JSON');
  let rows = 0;
  if (array) await sink('[');
  for await (const chunk of result) {
    let text = '';
    for (const row of chunk.getRows()) {
      const obj = '{' + row.map((v, i) => `${keys[i]}:${rawJson[i] && typeof v === 'string' ? v : jsonText(v)}`).join(',') + '}';
      text += array ? (rows === 0 ? '\n' : ',\n') + obj : obj + '\n';
      rows++;
    }
    if (text) await sink(text);
  }
  if (array) await sink(rows === 0 ? ']\n' : '\n]\n');
  return rows;
}

async function writeTable(result: DuckDBResult, sink: TextSink, maxRows: number): Promise<number> {
  const names = result.columnNames();
  const headCount = Math.ceil(maxRows / 2);
  const tailCount = maxRows - headCount;
  const head: DuckDBValue[][] = [];
  let tail: DuckDBValue[][] = [];
  let rows = 0;
  for await (const chunk of result) {
    for (const row of chunk.getRows()) {
      if (head.length < headCount) head.push(row);
      else {
        tail.push(row);
        if (tail.length > 2 * tailCount) tail = tail.slice(-tailCount);
      }
      rows++;
    }
  }
  tail = tail.slice(-tailCount);
  const elided = rows > head.length + tail.length;
  const shown = [...head, ...tail];
  const numeric = names.map((_, c) => shown.every((r) => r[c] === null || typeof r[c] === 'number' || typeof r[c] === 'bigint'));
  const cells = shown.map((r) => r.map((v) => (v === null ? 'NULL' : plainText(v))));
  if (elided) cells.splice(head.length, 0, names.map(() => '…'));
  const columns = names.map((header, c) => ({ header, align: numeric[c] ? ('right' as const) : ('left' as const) }));
  const lines = renderTable(columns, cells, { indent: '' });
  const footer = elided ? `(${rows} rows, ${shown.length} shown; --format csv or -o FILE for all)` : `(${rows} ${rows === 1 ? 'row' : 'rows'})`;
  await sink(lines.join('\n') + '\n' + footer + '\n');
  return rows;
}

/** A value as CSV and the table show it. */
function plainText(v: DuckDBValue): string {
  if (typeof v === 'string') return v;
  return String(v);
}

function jsonText(v: DuckDBValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
  }
  if (v instanceof DuckDBDecimalValue) return v.toString();
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return '[' + v.items.map(jsonText).join(',') + ']';
  if (v instanceof DuckDBStructValue) return '{' + Object.entries(v.entries).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',') + '}';
  if (v instanceof DuckDBMapValue) return '[' + v.entries.map((e) => `{"key":${jsonText(e.key)},"value":${jsonText(e.value)}}`).join(',') + ']';
  return JSON.stringify(v.toString());
}
