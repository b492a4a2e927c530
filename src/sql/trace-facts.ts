/**
 * What `trace_meta` and `vcpus` hold, from one look at each batch: the row
 * count, N (fixed by the replay's own vCPU table from the leading `vcpu`
 * rows, which it checks as the replay would), the first, least and greatest
 * time, and the `vcpu` rows. Plain data, so that a worker that walks the
 * trace for other reasons (fault-row-stream.ts) can hand it over and spare
 * the main thread a read of its own.
 */
import { VcpuTable, walkContext } from '../replay/context.js';
import type { TraceBatch } from '../trace/batch.js';
import { Kind, type TraceMeta } from '../trace/schema.js';

/** The trace's first row's time and its least and greatest (NULL in an empty trace): a report's time axis, without `events`. */
export interface TimeRange {
  first: bigint | null;
  min: bigint | null;
  max: bigint | null;
}

export interface Facts {
  rows: number;
  /** N, the vCPU count the replay uses. */
  vcpus: number;
  range: TimeRange;
  /** The `vcpu` rows, in trace order. */
  vcpuTids: number[];
  vcpuCpus: number[];
}

/** Appends the `vcpu` rows of `b` to `tids` and `cpus`. */
export function collectVcpuRows(b: TraceBatch, tids: number[], cpus: number[]): void {
  const kind = b.kind;
  for (let i = 0; i < b.length; i++) {
    if (kind[i] !== Kind.vcpu) continue;
    tids.push(b.tid[i]!);
    cpus.push(b.cpu[i]!);
  }
}

export class TraceFacts {
  private readonly table: VcpuTable;
  private leading = true;
  private rows = 0;
  /** The range so far as int64 words: a signed high and an unsigned low word (no BigInt per row). */
  private minHi = 0;
  private minLo = 0;
  private maxHi = 0;
  private maxLo = 0;
  private first: bigint | null = null;
  private readonly vcpuTids: number[] = [];
  private readonly vcpuCpus: number[] = [];

  constructor(meta: TraceMeta, file: string) {
    this.table = new VcpuTable(walkContext(meta, file));
  }

  consume(b: TraceBatch): void {
    const n = b.length;
    if (n === 0) return;
    const w = new Int32Array(b.t.buffer, b.t.byteOffset, 2 * n);
    if (this.rows === 0) {
      this.first = b.t[0]!;
      this.minHi = this.maxHi = w[1]!;
      this.minLo = this.maxLo = w[0]! >>> 0;
    }
    this.rows += n;
    if (this.leading && this.table.lead(b, 0) < n) this.leading = false;
    let minHi = this.minHi, minLo = this.minLo, maxHi = this.maxHi, maxLo = this.maxLo;
    for (let i = 0; i < n; i++) {
      const hi = w[2 * i + 1]!;
      const lo = w[2 * i]! >>> 0;
      if (hi < minHi || (hi === minHi && lo < minLo)) (minHi = hi), (minLo = lo);
      if (hi > maxHi || (hi === maxHi && lo > maxLo)) (maxHi = hi), (maxLo = lo);
    }
    collectVcpuRows(b, this.vcpuTids, this.vcpuCpus);
    this.minHi = minHi;
    this.minLo = minLo;
    this.maxHi = maxHi;
    this.maxLo = maxLo;
  }

  facts(): Facts {
    const range: TimeRange =
      this.rows === 0
        ? { first: null, min: null, max: null }
        : { first: this.first, min: (BigInt(this.minHi) << 32n) | BigInt(this.minLo), max: (BigInt(this.maxHi) << 32n) | BigInt(this.maxLo) };
    return { rows: this.rows, vcpus: this.table.fix(), range, vcpuTids: this.vcpuTids, vcpuCpus: this.vcpuCpus };
  }
}
