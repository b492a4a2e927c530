/**
 * `trace_meta` from a pass over the trace, without the replay or the events
 * table: N is fixed by the replay's own vCPU table (the declared count, else
 * the highest declared cpu + 1), which also checks the `vcpu` rows as the
 * replay would. Only the leading `vcpu` rows are looked at; after them a
 * batch costs nothing but its row count.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { VcpuTable, pageShiftOf } from '../replay/context.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import { createTraceMetaTable, writeTraceMeta } from './trace-tables.js';
import type { StreamedMeta } from './trace-row-stream.js';

/** The trace's first row's time and its least and greatest (NULL in an empty trace): a report's time axis, without `events`. */
export interface TimeRange {
  first: bigint | null;
  min: bigint | null;
  max: bigint | null;
}

export class TraceMetaConsumer {
  private readonly table: VcpuTable;
  private leading = true;
  private rows = 0;
  /** The range so far as int64 words: a signed high and an unsigned low word (no BigInt per row). */
  private minHi = 0;
  private minLo = 0;
  private maxHi = 0;
  private maxLo = 0;
  private first: bigint | null = null;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly meta: TraceMeta,
    private readonly origin: { path: string; format: string },
  ) {
    this.table = new VcpuTable({
      pageSize: meta.pageSize,
      pageShift: pageShiftOf(meta.pageSize),
      ...(meta.vcpus !== undefined ? { vcpus: meta.vcpus } : {}),
      baseNs: 0n,
      file: origin.path,
    });
  }

  consume(b: TraceBatch): void {
    if (b.length === 0) return;
    if (this.rows === 0) {
      this.first = b.t[0]!;
      const w = new Int32Array(b.t.buffer, b.t.byteOffset, 2);
      this.minHi = this.maxHi = w[1]!;
      this.minLo = this.maxLo = w[0]! >>> 0;
    }
    this.rows += b.length;
    if (this.leading && this.table.lead(b, 0) < b.length) this.leading = false;
    const w = new Int32Array(b.t.buffer, b.t.byteOffset, 2 * b.length);
    let minHi = this.minHi, minLo = this.minLo, maxHi = this.maxHi, maxLo = this.maxLo;
    for (let i = 0; i < b.length; i++) {
      const hi = w[2 * i + 1]!;
      const lo = w[2 * i]! >>> 0;
      if (hi < minHi || (hi === minHi && lo < minLo)) (minHi = hi), (minLo = lo);
      if (hi > maxHi || (hi === maxHi && lo > maxLo)) (maxHi = hi), (maxLo = lo);
    }
    this.minHi = minHi;
    this.minLo = minLo;
    this.maxHi = maxHi;
    this.maxLo = maxLo;
  }

  /** Creates and writes `trace_meta`. */
  async finish(): Promise<void> {
    const range: TimeRange =
      this.rows === 0
        ? { first: null, min: null, max: null }
        : { first: this.first, min: (BigInt(this.minHi) << 32n) | BigInt(this.minLo), max: (BigInt(this.maxHi) << 32n) | BigInt(this.maxLo) };
    await writeMetaOf(this.connection, { ...this.origin, meta: this.meta, vcpus: this.table.fix() }, this.rows, range);
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
