/**
 * `vcpus` as a table: the rows its SQL definition (src/sql/views/vcpus.sql,
 * a view over `events`) selects, the `vcpu` rows in trace order, picked out
 * in the load's pass or handed over by a worker (trace-facts.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';

const VCPUS_TABLE_SQL = 'CREATE TABLE vcpus (tid UINTEGER, cpu INTEGER)';

export async function createVcpusConsumer(connection: DuckDBConnection): Promise<{ consume(b: TraceBatch): void; finish(): Promise<void> }> {
  await connection.run(VCPUS_TABLE_SQL);
  const appender = await connection.createAppender('vcpus');
  return {
    consume(b) {
      const kind = b.kind;
      for (let i = 0; i < b.length; i++) {
        if (kind[i] !== Kind.vcpu) continue;
        appender.appendUInteger(b.tid[i]!);
        appender.appendInteger(b.cpu[i]!);
        appender.endRow();
      }
    },
    finish: async () => appender.closeSync(),
  };
}

/** The table from the rows a worker found. */
export async function writeVcpusTable(connection: DuckDBConnection, tids: readonly number[], cpus: readonly number[]): Promise<void> {
  await connection.run(VCPUS_TABLE_SQL);
  const appender = await connection.createAppender('vcpus');
  for (let i = 0; i < tids.length; i++) {
    appender.appendUInteger(tids[i]!);
    appender.appendInteger(cpus[i]!);
    appender.endRow();
  }
  appender.closeSync();
}
