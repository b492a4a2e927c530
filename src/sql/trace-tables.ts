/**
 * The tables a loaded trace lives in, besides `events` (event-appender.ts):
 * `trace_meta` (one row: what the views need to know about the trace), the
 * replay engine's figures, `results` (long form, for SQL) and `analysis` (the
 * `analyze --json` object of each variant, whole).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnalysisResult, VariantName } from '../replay/result.js';
import { VARIANTS } from '../replay/result.js';
import { EVENTS_TABLE_SQL } from './event-appender.js';
import { VIEW_NAMES } from './views.js';

export const TRACE_TABLES = ['events', 'trace_meta', 'results', 'analysis', 'phases', 'fault_legs'] as const;

export interface TraceMetaRow {
  path: string;
  format: string;
  pageSize: number;
  /** N, the vCPU count the figures use. */
  vcpus: number;
  startNs?: bigint;
  /** The trace's `blocktime.source`, as JSON text. */
  source?: string;
  events: number;
  /** The first row's time, and the least and greatest (NULL when there is no row). */
  firstNs: bigint | null;
  minNs: bigint | null;
  maxNs: bigint | null;
}

/** `events`, `trace_meta`, `results` and `analysis`, empty (a load creates each as it fills it). */
export async function createTraceTables(connection: DuckDBConnection): Promise<void> {
  await connection.run(EVENTS_TABLE_SQL);
  await createTraceMetaTable(connection);
  await createResultsTables(connection);
}

export async function createTraceMetaTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE TABLE trace_meta (
    path VARCHAR, format VARCHAR, page_size UBIGINT NOT NULL, vcpus INTEGER NOT NULL,
    start_ns BIGINT, source JSON, events BIGINT NOT NULL, first_t_ns BIGINT, min_t_ns BIGINT, max_t_ns BIGINT)`);
}

/** In `schema`: a windowed load keeps its results apart from the whole trace's (trace-window.ts). */
export async function createResultsTables(connection: DuckDBConnection, schema = 'main'): Promise<void> {
  await connection.run(`CREATE TABLE ${schema}.results (
    variant VARCHAR NOT NULL, cpu INTEGER, blocktime_ns BIGINT NOT NULL, faults BIGINT NOT NULL)`);
  await connection.run(`CREATE TABLE ${schema}.analysis (variant VARCHAR NOT NULL, result JSON NOT NULL)`);
}

/** Drops everything a load creates: the views (or their materialized tables) and the tables. */
export async function dropTraceTables(connection: DuckDBConnection): Promise<void> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()`,
  );
  const existing = new Map(reader.getRowsJS().map(([name, type]) => [String(name), String(type)]));
  for (const name of [...[...VIEW_NAMES].reverse(), ...TRACE_TABLES]) {
    const type = existing.get(name);
    if (type !== undefined) await connection.run(`DROP ${type === 'VIEW' ? 'VIEW' : 'TABLE'} ${name}`);
  }
}

export async function writeTraceMeta(connection: DuckDBConnection, m: TraceMetaRow): Promise<void> {
  await connection.run('INSERT INTO trace_meta VALUES ($1, $2, $3::UBIGINT, $4, $5::BIGINT, $6::JSON, $7::BIGINT, $8::BIGINT, $9::BIGINT, $10::BIGINT)', [
    m.path,
    m.format,
    m.pageSize,
    m.vcpus,
    m.startNs ?? null,
    m.source ?? null,
    m.events,
    m.firstNs,
    m.minNs,
    m.maxNs,
  ]);
}

/**
 * One row per variant and vCPU (`cpu` 0..N-1), one for the threads that are
 * not vCPUs (`cpu` = -1, as in `faults`) and one for the whole VM (`cpu` NULL:
 * total blocktime, all counted faults), so `WHERE cpu >= 0` selects vCPUs and
 * `cpu IS NULL` the total (its `faults`: every counted fault, vCPU or not).
 */
export async function writeResults(connection: DuckDBConnection, results: Partial<Record<VariantName, AnalysisResult>>, schema = 'main'): Promise<void> {
  const appender = await connection.createAppender('results', schema);
  const row = (variant: string, cpu: number | null, blocktime: number, faults: number): void => {
    appender.appendVarchar(variant);
    if (cpu === null) appender.appendNull();
    else appender.appendInteger(cpu);
    appender.appendBigInt(BigInt(blocktime));
    appender.appendBigInt(BigInt(faults));
    appender.endRow();
  };
  for (const variant of VARIANTS) {
    const r = results[variant];
    if (!r) continue;
    r.vcpu_blocktime_ns.forEach((ns, cpu) => row(variant, cpu, ns, r.vcpu_faults[cpu] ?? 0));
    row(variant, -1, r.non_vcpu_blocktime_ns, r.non_vcpu_faults);
    const faults = r.vcpu_faults.reduce((a, b) => a + b, 0) + r.non_vcpu_faults;
    row(variant, null, r.total_blocktime_ns, faults);
  }
  appender.closeSync();
  for (const variant of VARIANTS) {
    const r = results[variant];
    if (r) await connection.run(`INSERT INTO ${schema}.analysis VALUES ($1, $2::JSON)`, [variant, JSON.stringify(r)]);
  }
}

/** Every variant's `analyze --json` object, as the load stored it in `analysis`. */
export async function readResults(connection: DuckDBConnection): Promise<Record<VariantName, AnalysisResult>> {
  const rows = (await connection.runAndReadAll('SELECT variant, result::VARCHAR AS result FROM analysis')).getRowObjectsJS() as Array<{ variant: string; result: string }>;
  const results: Partial<Record<VariantName, AnalysisResult>> = {};
  for (const r of rows) results[r.variant as VariantName] = JSON.parse(r.result) as AnalysisResult;
  for (const v of VARIANTS) if (!results[v]) throw new Error(`the load stored no ${v} result`);
  return results as Record<VariantName, AnalysisResult>;
}
