/**
 * `phases` and `fault_legs`: the migration beside a trace
 * (src/latency/trace-migration.ts), from its companion file or, for a QEMU
 * log, the log's own phases. Empty when the trace has neither: a query
 * about them then finds no rows rather than no table.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { MigrationFile } from '../latency/migration-file.js';
import { migrationOfTrace } from '../latency/trace-migration.js';
import type { TraceMeta } from '../trace/schema.js';

export async function createMigrationTables(connection: DuckDBConnection, origin: { path: string; format: string }, meta: TraceMeta): Promise<void> {
  await connection.run(`CREATE TABLE phases (
    side VARCHAR NOT NULL, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
    start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL, duration_ns BIGINT NOT NULL)`);
  await connection.run(`CREATE TABLE fault_legs (
    line BIGINT NOT NULL, tid UINTEGER NOT NULL, cpu INTEGER NOT NULL, block VARCHAR NOT NULL, "offset" UBIGINT NOT NULL, addr UBIGINT NOT NULL,
    category VARCHAR NOT NULL, missing VARCHAR, channel VARCHAR NOT NULL, t_ns BIGINT NOT NULL,
    request_transit_ns BIGINT, source_queue_wait_ns BIGINT, page_transit_ns BIGINT, source_and_transit_ns BIGINT, total_ns BIGINT)`);
  const m = await migrationOfTrace(origin.path, origin.format, meta);
  if (m !== undefined) await fillMigrationTables(connection, m);
}

async function fillMigrationTables(connection: DuckDBConnection, m: MigrationFile): Promise<void> {
  const phases = await connection.createAppender('phases');
  for (const p of m.phases) {
    const start = BigInt(p.start_ns);
    const end = BigInt(p.end_ns);
    phases.appendVarchar(p.side);
    phases.appendVarchar(p.kind);
    phases.appendVarchar(p.name);
    phases.appendBigInt(start);
    phases.appendBigInt(end);
    phases.appendBigInt(end - start);
    phases.endRow();
  }
  phases.closeSync();
  const legs = await connection.createAppender('fault_legs');
  const optional = (a: DuckDBAppender, v: string | null): void => {
    if (v === null) a.appendNull();
    else a.appendBigInt(BigInt(v));
  };
  for (const f of m.fault_legs ?? []) {
    legs.appendBigInt(BigInt(f.line));
    legs.appendUInteger(f.tid);
    legs.appendInteger(f.cpu);
    legs.appendVarchar(f.block);
    legs.appendUBigInt(BigInt(f.offset));
    legs.appendUBigInt(BigInt(f.addr));
    legs.appendVarchar(f.category);
    if (f.missing === null) legs.appendNull();
    else legs.appendVarchar(f.missing);
    legs.appendVarchar(f.channel);
    legs.appendBigInt(BigInt(f.t_ns));
    optional(legs, f.request_transit_ns);
    optional(legs, f.source_queue_wait_ns);
    optional(legs, f.page_transit_ns);
    optional(legs, f.source_and_transit_ns);
    optional(legs, f.total_ns);
    legs.endRow();
  }
  legs.closeSync();
}
