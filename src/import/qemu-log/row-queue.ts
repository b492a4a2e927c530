/**
 * The importer's reordering window: rows made from log lines wait here,
 * columnar, while a mapping rule may still move, retime or drop them; rows
 * before the first such "held" row are final and leave in batches. Rows are
 * addressed by sequence number (position in the output before drops), which
 * survives draining; a move shifts the sequence numbers it passes over.
 */
import { allocBatch, type TraceBatch } from '../../trace/batch.js';
import type { AccountingBatch } from './accounting.js';
import { writeNs } from './ns.js';

/** Kind code of a dropped row (never leaves the queue). */
export const DROPPED = 255;

export class RowQueue {
  /** Sequence number of the row at index 0. */
  head = 0;
  length = 0;
  private cap: number;
  t!: Float64Array;
  kind!: Uint8Array;
  tid!: Uint32Array;
  addrLo!: Uint32Array;
  addrHi!: Uint32Array;
  cpu!: Int32Array;
  line!: Float64Array;
  event!: Uint8Array;
  qcpu!: Int32Array;
  ms!: Uint32Array;
  flag!: Uint8Array;
  affected!: Uint32Array;
  affectedNon!: Uint32Array;
  released!: Uint32Array;
  releasedLeft!: Uint32Array;
  /**
   * <= 10.0 end rows, not written out: vCPUs the end line's `affected_cpu`
   * counted that the importer's slot model has not yet matched to a fault.
   */
  unclaimed!: Int32Array;
  /** Rows written out so far (drops excluded): the next batch's first row. */
  private emitted = 0;
  /** Largest number of rows the queue ever held. */
  highWater = 0;

  constructor(
    /** Whole second the `t` column is relative to. */
    private readonly baseSec: number,
    initial = 1024,
  ) {
    this.cap = 0;
    this.grow(initial);
  }

  private grow(cap: number): void {
    const keep = <T extends Float64Array | Uint8Array | Uint32Array | Int32Array>(old: T | undefined, fresh: T): T => {
      if (old) fresh.set(old.subarray(0, this.length) as never);
      return fresh;
    };
    this.t = keep(this.t, new Float64Array(cap));
    this.kind = keep(this.kind, new Uint8Array(cap));
    this.tid = keep(this.tid, new Uint32Array(cap));
    this.addrLo = keep(this.addrLo, new Uint32Array(cap));
    this.addrHi = keep(this.addrHi, new Uint32Array(cap));
    this.cpu = keep(this.cpu, new Int32Array(cap));
    this.line = keep(this.line, new Float64Array(cap));
    this.event = keep(this.event, new Uint8Array(cap));
    this.qcpu = keep(this.qcpu, new Int32Array(cap));
    this.ms = keep(this.ms, new Uint32Array(cap));
    this.flag = keep(this.flag, new Uint8Array(cap));
    this.affected = keep(this.affected, new Uint32Array(cap));
    this.affectedNon = keep(this.affectedNon, new Uint32Array(cap));
    this.released = keep(this.released, new Uint32Array(cap));
    this.releasedLeft = keep(this.releasedLeft, new Uint32Array(cap));
    this.unclaimed = keep(this.unclaimed, new Int32Array(cap));
    this.cap = cap;
  }

  private columns(): Array<Float64Array | Uint8Array | Uint32Array | Int32Array> {
    return [
      this.t, this.kind, this.tid, this.addrLo, this.addrHi, this.cpu, this.line, this.event,
      this.qcpu, this.ms, this.flag, this.affected, this.affectedNon, this.released, this.releasedLeft, this.unclaimed,
    ];
  }

  /** Appends a row (accounting fields zero) and returns its index. */
  push(t: number, kind: number, tid: number, addrLo: number, addrHi: number, cpu: number, line: number): number {
    if (this.length === this.cap) this.grow(this.cap * 2);
    const i = this.length++;
    if (this.length > this.highWater) this.highWater = this.length;
    this.t[i] = t;
    this.kind[i] = kind;
    this.tid[i] = tid;
    this.addrLo[i] = addrLo;
    this.addrHi[i] = addrHi;
    this.cpu[i] = cpu;
    this.line[i] = line;
    this.event[i] = 0;
    this.qcpu[i] = -1;
    this.ms[i] = 0;
    this.flag[i] = 0;
    this.affected[i] = 0;
    this.affectedNon[i] = 0;
    this.released[i] = 0;
    this.releasedLeft[i] = 0;
    this.unclaimed[i] = 0;
    return i;
  }

  /** Moves the row at index `from` to index `to` (< from); the rows in between move down by one. */
  moveBefore(from: number, to: number): void {
    for (const col of this.columns()) {
      const v = col[from]!;
      col.copyWithin(to + 1, to, from);
      col[to] = v;
    }
  }

  /** Takes the first `n` rows out, dropped rows left behind, as a batch pair. */
  drain(n: number): { batch: TraceBatch; acct: AccountingBatch } {
    let kept = 0;
    for (let i = 0; i < n; i++) if (this.kind[i] !== DROPPED) kept++;
    const batch = allocBatch(kept, this.emitted);
    const acct = allocAccounting(kept, this.emitted);
    const tWords = new Int32Array(batch.t.buffer, batch.t.byteOffset, kept * 2);
    const aWords = new Uint32Array(batch.addr.buffer, batch.addr.byteOffset, kept * 2);
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (this.kind[i] === DROPPED) continue;
      writeNs(tWords, j, this.baseSec, this.t[i]!);
      batch.kind[j] = this.kind[i]!;
      batch.tid[j] = this.tid[i]!;
      aWords[2 * j] = this.addrLo[i]!;
      aWords[2 * j + 1] = this.addrHi[i]!;
      batch.cpu[j] = this.cpu[i]!;
      acct.line[j] = this.line[i]!;
      acct.event[j] = this.event[i]!;
      acct.cpu[j] = this.qcpu[i]!;
      acct.ms[j] = this.ms[i]!;
      acct.flag[j] = this.flag[i]!;
      acct.affected[j] = this.affected[i]!;
      acct.affectedNonCpus[j] = this.affectedNon[i]!;
      acct.released[j] = this.released[i]!;
      acct.releasedLeft[j] = this.releasedLeft[i]!;
      j++;
    }
    for (const col of this.columns()) col.copyWithin(0, n, this.length);
    this.length -= n;
    this.head += n;
    this.emitted += kept;
    return { batch, acct };
  }
}

export function allocAccounting(length: number, firstRow: number): AccountingBatch {
  return {
    length,
    firstRow,
    line: new Float64Array(length),
    event: new Uint8Array(length),
    cpu: new Int32Array(length),
    ms: new Uint32Array(length),
    flag: new Uint8Array(length),
    affected: new Uint32Array(length),
    affectedNonCpus: new Uint32Array(length),
    released: new Uint32Array(length),
    releasedLeft: new Uint32Array(length),
  };
}
