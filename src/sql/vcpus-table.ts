/**
 * `vcpus` as a table filled during the load's pass: the rows its SQL
 * definition (src/sql/views/vcpus.sql, a view over `events`) selects, the
 * `vcpu` rows in trace order, found by one look at each row's kind code.
 */
import { type DuckDBConnection } from '@duckdb/node-api';
import type { TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';

export async function createVcpusConsumer(connection: DuckDBConnection): Promise<{ consume(b: TraceBatch): void; finish(): Promise<void> }> {
  await connection.run('CREATE TABLE vcpus (tid UINTEGER, cpu INTEGER)');
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
