/**
 * What every variant needs to know about the trace before its first event,
 * and the thread table all of them build from the `vcpu` rows.
 */
import { InputError } from '../errors.js';
import type { TraceBatch } from '../trace/batch.js';
import { Kind, MAX_VCPUS, type TraceMeta } from '../trace/schema.js';
import { ABSENT, U32Map } from './page-table.js';
import type { WindowBounds } from './window.js';

/** Largest spread of vCPU thread ids looked up through a plain array (256 KB). */
const DENSE_TIDS = 65536;

export interface ReplayContext {
  pageSize: number;
  /** log2(pageSize). */
  pageShift: number;
  /** N when the user or the file declares it; otherwise the highest declared cpu + 1. */
  vcpus?: number;
  /** Time of the trace's first row: the per-event times variants receive are `t - baseNs`, as doubles. */
  baseNs: bigint;
  /** Blocktime start for the `atomic` clock (metadata `start_ns`); default `baseNs`. */
  startNs?: bigint;
  /** Named in error messages. */
  file: string;
  /** A windowed pass (window.ts): the engine calls `mark` at its instants, and results cover the window. */
  window?: WindowBounds;
}

/**
 * The context of a walk that needs no relative times (the SQL load's: the
 * fault rows, the vCPU table), which keeps the trace's own int64 times.
 */
export function walkContext(meta: TraceMeta, file: string): ReplayContext {
  return { pageSize: meta.pageSize, pageShift: pageShiftOf(meta.pageSize), ...(meta.vcpus !== undefined ? { vcpus: meta.vcpus } : {}), baseNs: 0n, file };
}

/** A replay variant: takes batches in trace order with their times relative to `baseNs`, then builds its result. */
export interface Variant<R> {
  consume(batch: TraceBatch, rel: Float64Array): void;
  result(): R;
}

/**
 * Thread id -> vCPU index, from the `vcpu` rows, which come first. N is
 * fixed when the first other row arrives (or at the end of an event-less
 * trace); variants size their per-vCPU arrays then.
 */
export class VcpuTable {
  private readonly byTid = new U32Map();
  private readonly byCpu = new U32Map();
  private maxCpu = -1;
  private minTid = Infinity;
  private maxTid = -1;
  /** N, or -1 until fixed. */
  n = -1;
  declared = 0;

  constructor(private readonly ctx: ReplayContext) {}

  /** vCPU thread ids usually sit close together: then a plain array indexed by `tid - tidBase` replaces the hash. */
  private dense = new Int32Array(0);
  private tidBase = 0;
  private sparse = false;

  /** The vCPU index of thread `tid`, or a negative number when it is not a vCPU. Valid once N is fixed. */
  cpuOf(tid: number): number {
    const k = (tid - this.tidBase) >>> 0;
    if (k < this.dense.length) return this.dense[k]!;
    return this.sparse ? this.byTid.get(tid) : -1;
  }

  /** Reads the `vcpu` rows at the start of `b` from row `from`; returns the index of the first other row (b.length if none). */
  lead(b: TraceBatch, from: number): number {
    let i = from;
    for (; i < b.length && b.kind[i] === Kind.vcpu; i++) this.declare(b.tid[i]!, b.cpu[i]!, b.firstRow + i);
    if (i < b.length) this.fix();
    return i;
  }

  /** Fixes N: the declared count, or the highest declared cpu + 1. */
  fix(): number {
    if (this.n >= 0) return this.n;
    this.n = this.ctx.vcpus ?? this.maxCpu + 1;
    if (this.declared > 0 && this.maxTid - this.minTid < DENSE_TIDS) {
      this.tidBase = this.minTid;
      this.dense = new Int32Array(this.maxTid - this.minTid + 1).fill(-1);
      for (let k = 0; k < this.dense.length; k++) {
        const cpu = this.byTid.get(this.minTid + k);
        if (cpu >= 0) this.dense[k] = cpu;
      }
    } else this.sparse = this.declared > 0;
    return this.n;
  }

  /** A `vcpu` row after the first fault or resolve: readers reject it; in-memory batches may not have been validated. */
  late(row: number): never {
    throw new InputError({ file: this.ctx.file, row: row + 1 }, 'a vcpu row after the first fault or resolve row (vcpu rows must come first)');
  }

  /** A kind code other than vcpu, fault or resolve. */
  badKind(row: number, code: number): never {
    throw new InputError({ file: this.ctx.file, row: row + 1 }, `kind code ${code}: expected 0 (vcpu), 1 (fault) or 2 (resolve), or 3 (erase)`);
  }

  private declare(tid: number, cpu: number, row: number): void {
    const at = { file: this.ctx.file, row: row + 1 };
    if (cpu < 0) throw new InputError(at, `vcpu row with cpu ${cpu}: expected a vCPU index >= 0`);
    const n = this.ctx.vcpus;
    if (n !== undefined && cpu >= n) throw new InputError(at, `vcpu row declares cpu ${cpu}, but the trace has ${n} vCPUs (--vcpus or blocktime.vcpus)`);
    // N defaults to the highest cpu + 1, and every variant keeps arrays of N entries.
    if (cpu >= MAX_VCPUS) throw new InputError(at, `vcpu row declares cpu ${cpu}; expected a cpu index below ${MAX_VCPUS}`);
    if (this.byTid.get(tid) !== ABSENT) throw new InputError(at, `thread ${tid} declared as a vCPU twice`);
    if (this.byCpu.get(cpu) !== ABSENT) throw new InputError(at, `cpu ${cpu} declared twice`);
    this.byTid.set(tid, cpu);
    this.byCpu.set(cpu, tid);
    if (cpu > this.maxCpu) this.maxCpu = cpu;
    if (tid < this.minTid) this.minTid = tid;
    if (tid > this.maxTid) this.maxTid = tid;
    this.declared++;
  }
}

export function pageShiftOf(pageSize: number): number {
  return Math.round(Math.log2(pageSize));
}
