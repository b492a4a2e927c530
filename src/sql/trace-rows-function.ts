/**
 * A DuckDB table function over a TraceRowStream: `SELECT * FROM NAME()` has
 * the columns of `events` (event-appender.ts), in trace order, filled from
 * each batch by one memcpy per column and chunk, as the appender does. DuckDB
 * pulls it from one thread, so the rows stay in order (insertion order, which
 * COPY keeps).
 */
import { BIGINT, type DuckDBConnection, DuckDBTableFunction, ENUM8, INTEGER, UBIGINT, UINTEGER } from '@duckdb/node-api';
import type { TraceBatch } from '../trace/batch.js';
import { KIND_NAMES } from '../trace/schema.js';
import { EventsChunkFiller } from './event-appender.js';
import type { TraceRowStream } from './trace-row-stream.js';

/**
 * Registers the function `name` on `connection`, reading `stream` (once;
 * `onRows` after each batch). A failure of the stream fails the statement;
 * `failure()` then holds it.
 */
export function registerTraceRowsFunction(connection: DuckDBConnection, name: string, stream: TraceRowStream, onRows?: (rows: number) => void): { failure(): unknown } {
  const filler = new EventsChunkFiller();
  let batch: TraceBatch | undefined;
  let at = 0;
  let failure: unknown;
  const fn = DuckDBTableFunction.create({
    name,
    bindFunction: (info) => {
      info.addResultColumn('seq', BIGINT);
      info.addResultColumn('t_ns', BIGINT);
      info.addResultColumn('kind', ENUM8(KIND_NAMES));
      info.addResultColumn('tid', UINTEGER);
      info.addResultColumn('addr', UBIGINT);
      info.addResultColumn('cpu', INTEGER);
    },
    initFunction: (info) => info.setMaxThreads(1),
    mainFunction: (info, out) => {
      try {
        while (batch === undefined || at >= batch.length) {
          batch = stream.nextSync();
          at = 0;
          if (batch !== undefined) onRows?.(stream.rows);
          if (batch === undefined) {
            out.rowCount = 0;
            return;
          }
        }
        const n = Math.min(filler.chunkRows, batch.length - at);
        filler.fill(out, batch, at, n);
        at += n;
      } catch (err) {
        failure = err;
        info.setError(err instanceof Error ? err.message : String(err));
      }
    },
  });
  connection.registerTableFunction(fn);
  return { failure: () => failure };
}
