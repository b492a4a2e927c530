/**
 * `trace_meta` from a pass over the trace, without the replay or the events
 * table (trace-facts.ts: N, the row count and the time range).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import { type TimeRange, TraceFacts } from './trace-facts.js';
import { createTraceMetaTable, writeTraceMeta } from './trace-tables.js';
import type { StreamedMeta } from './trace-row-stream.js';

export class TraceMetaConsumer {
  private readonly facts: TraceFacts;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly meta: TraceMeta,
    private readonly origin: { path: string; format: string },
  ) {
    this.facts = new TraceFacts(meta, origin.path);
  }

  consume(b: TraceBatch): void {
    this.facts.consume(b);
  }

  /** Creates and writes `trace_meta`. */
  async finish(): Promise<void> {
    const f = this.facts.facts();
    await writeMetaOf(this.connection, { ...this.origin, meta: this.meta, vcpus: f.vcpus }, f.rows, f.range);
  }
}

/** The time range of a loaded `events` table, by SQL. */
export async function timeRangeOfEvents(connection: DuckDBConnection): Promise<TimeRange> {
  const [row] = (await connection.runAndReadAll('SELECT (SELECT t_ns FROM events WHERE seq = 0), min(t_ns), max(t_ns) FROM events')).getRowsJS();
  const [first, min, max] = row as [bigint | null, bigint | null, bigint | null];
  return { first, min, max };
}

/** Creates `trace_meta` and writes its row: the trace, N, its row count and time range. */
export async function writeMetaOf(connection: DuckDBConnection, m: StreamedMeta, rows: number, range: TimeRange): Promise<void> {
  await createTraceMetaTable(connection);
  await writeTraceMeta(connection, {
    path: m.path,
    format: m.format,
    pageSize: m.meta.pageSize,
    vcpus: m.vcpus,
    ...(m.meta.startNs !== undefined ? { startNs: m.meta.startNs } : {}),
    ...(m.meta.source !== undefined ? { source: JSON.stringify(m.meta.source) } : {}),
    events: rows,
    firstNs: range.first,
    minNs: range.min,
    maxNs: range.max,
  });
}
