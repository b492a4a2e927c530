/**
 * `vcpus` as a table: the rows its SQL definition (src/sql/views/vcpus.sql,
 * a view over `events`) selects, the `vcpu` rows in trace order, picked out
 * in the load's pass or handed over by a worker (trace-facts.ts). They are
 * few: held until the end of the pass, then written at once.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TraceBatch } from '../trace/batch.js';
import { collectVcpuRows } from './trace-facts.js';

export function createVcpusConsumer(connection: DuckDBConnection): { consume(b: TraceBatch): void; finish(): Promise<void> } {
  const tids: number[] = [];
  const cpus: number[] = [];
  return {
    consume: (b) => collectVcpuRows(b, tids, cpus),
    finish: () => writeVcpusTable(connection, tids, cpus),
  };
}

/** The table, from the `vcpu` rows in trace order. */
export async function writeVcpusTable(connection: DuckDBConnection, tids: readonly number[], cpus: readonly number[]): Promise<void> {
  await connection.run('CREATE TABLE vcpus (tid UINTEGER, cpu INTEGER)');
  const appender = await connection.createAppender('vcpus');
  for (let i = 0; i < tids.length; i++) {
    appender.appendUInteger(tids[i]!);
    appender.appendInteger(cpus[i]!);
    appender.endRow();
  }
  appender.closeSync();
}
