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

export class TraceMetaConsumer {
  private readonly table: VcpuTable;
  private leading = true;
  private rows = 0;

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
    this.rows += b.length;
    if (this.leading && this.table.lead(b, 0) < b.length) this.leading = false;
  }

  /** Creates and writes `trace_meta`. */
  async finish(): Promise<void> {
    await writeMetaOf(this.connection, { ...this.origin, meta: this.meta, vcpus: this.table.fix() }, this.rows);
  }
}

/** Creates `trace_meta` and writes its row: the trace, N, and its row count. */
export async function writeMetaOf(connection: DuckDBConnection, m: StreamedMeta, rows: number): Promise<void> {
  await createTraceMetaTable(connection);
  await writeTraceMeta(connection, {
    path: m.path,
    format: m.format,
    pageSize: m.meta.pageSize,
    vcpus: m.vcpus,
    ...(m.meta.startNs !== undefined ? { startNs: m.meta.startNs } : {}),
    ...(m.meta.source !== undefined ? { source: JSON.stringify(m.meta.source) } : {}),
    events: rows,
  });
}
