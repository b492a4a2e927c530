/**
 * The rows of the SQL tables `faults` and `blocked_intervals` (docs/sql.md)
 * from one pass over the trace, beside the replay: the definitions of
 * src/sql/views/faults.sql and blocked_intervals.sql, computed the way the
 * `exact` replay closes its intervals instead of by sorting the whole trace.
 *
 * A fault row is complete once its page's next resolve comes: that gives
 * `resolve_seq` and `resolve_t_ns` to every fault (whatever its status) and
 * closes a counted fault still open. A counted fault that its thread's next
 * fault closes first keeps waiting for that resolve. Until then a row waits
 * in its page's list, in typed-array slots, so memory follows the faults
 * outstanding, not the trace's length; at the end of the trace the rows
 * still waiting are written without a resolve.
 *
 * A vCPU's intervals close in the order they opened (a thread waits on one
 * fault at a time), so while times do not go backwards each vCPU's runs are
 * merged as they close, and a run is written once an interval starts past
 * its end. An interval starting before the vCPU's current run (times going
 * backwards) could overlap runs already written: that vCPU's runs still
 * cover the union of its intervals, but must be merged again (`finish`
 * names it).
 *
 * A walk writes only what its sink takes: without `runs`, no interval is
 * merged; without `faults`, no fault row is written, and a fault that opens
 * no wait is not even kept.
 *
 * Complete rows go into column batches laid out as DuckDB's vectors: int64
 * as two 32-bit words (little-endian), NULLs as validity bits. Times are the
 * trace's own int64 values, copied word by word, never through a double.
 */
import { addrWords, type TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import type { ReplayContext } from './context.js';
import { ABSENT, PageMap, U32Map, pageHi, pageLo, WARM_ROWS } from './page-table.js';
import { ReplayScaffold } from './scaffold.js';
import { FlaggedSlotPool, widen } from './slot-pool.js';

/**
 * `faults.status` values; a row's status code is its index. In name order,
 * so that the SQL ENUM they become sorts as the view's text does.
 */
export const FAULT_STATUSES = ['already_received', 'counted', 'no_tid'] as const;
/** `faults.closed_by` values; a row's code is its index (name order, as above). */
export const CLOSED_BY = ['next_fault', 'resolve'] as const;

const ALREADY_RECEIVED = 0;
const COUNTED = 1;
const NO_TID = 2;
const BY_NEXT_FAULT = 0;
const BY_RESOLVE = 1;
/** A pending row's `closed` code while its wait is open (or it has none). */
const OPEN = 255;

const TWO_32 = 4294967296;

/** Rows of `faults`, column by column; `resolved` and `closed` are validity bitmaps (bit set: not NULL). */
export class FaultRowBatch {
  length = 0;
  readonly seq: Uint32Array;
  readonly t: Uint32Array;
  readonly tid: Uint32Array;
  readonly cpu: Int32Array;
  readonly page: Uint32Array;
  readonly status: Uint8Array;
  /** Validity of `resolve_seq` and `resolve_t_ns`. */
  readonly resolved: Uint8Array;
  readonly resolveSeq: Uint32Array;
  readonly resolveT: Uint32Array;
  /** Validity of `closed_by`, `end_t_ns` and `latency_ns`. */
  readonly closed: Uint8Array;
  readonly closedBy: Uint8Array;
  readonly end: Uint32Array;
  readonly latency: Uint32Array;

  /** `capacity`: a multiple of 64 (DuckDB's validity words). */
  constructor(readonly capacity: number) {
    this.seq = new Uint32Array(2 * capacity);
    this.t = new Uint32Array(2 * capacity);
    this.tid = new Uint32Array(capacity);
    this.cpu = new Int32Array(capacity);
    this.page = new Uint32Array(2 * capacity);
    this.status = new Uint8Array(capacity);
    this.resolved = new Uint8Array(capacity / 8);
    this.resolveSeq = new Uint32Array(2 * capacity);
    this.resolveT = new Uint32Array(2 * capacity);
    this.closed = new Uint8Array(capacity / 8);
    this.closedBy = new Uint8Array(capacity);
    this.end = new Uint32Array(2 * capacity);
    this.latency = new Uint32Array(2 * capacity);
  }

  clear(): void {
    this.length = 0;
    this.resolved.fill(0);
    this.closed.fill(0);
  }
}

/** Rows of `blocked_intervals`, column by column. */
export class BlockedRunBatch {
  length = 0;
  readonly cpu: Int32Array;
  readonly start: Uint32Array;
  readonly end: Uint32Array;

  constructor(readonly capacity: number) {
    this.cpu = new Int32Array(capacity);
    this.start = new Uint32Array(2 * capacity);
    this.end = new Uint32Array(2 * capacity);
  }
}

/**
 * Takes each batch when it is full (and the last ones at the end); the batch
 * is reused once the call returns. A walk computes only the rows its sink
 * takes: `faults` for the table `faults`, `runs` for `blocked_intervals`.
 */
export interface DerivedRowSink {
  faults?(batch: FaultRowBatch): void;
  runs?(batch: BlockedRunBatch): void;
}

/** Fault rows waiting for their page's next resolve: one slot each, chained per page through `next`. */
class PendingFaults extends FlaggedSlotPool {
  seq = new Float64Array(1024);
  tLo = new Uint32Array(1024);
  tHi = new Int32Array(1024);
  tid = new Uint32Array(1024);
  cpu = new Int32Array(1024);
  /** The page's address (the fault's address rounded down), as words. */
  aLo = new Uint32Array(1024);
  aHi = new Uint32Array(1024);
  status = new Uint8Array(1024);
  closed = new Uint8Array(1024);
  endLo = new Uint32Array(1024);
  endHi = new Int32Array(1024);

  protected growOwnColumns(capacity: number): void {
    this.seq = widen(this.seq, new Float64Array(capacity));
    this.tLo = widen(this.tLo, new Uint32Array(capacity));
    this.tHi = widen(this.tHi, new Int32Array(capacity));
    this.tid = widen(this.tid, new Uint32Array(capacity));
    this.cpu = widen(this.cpu, new Int32Array(capacity));
    this.aLo = widen(this.aLo, new Uint32Array(capacity));
    this.aHi = widen(this.aHi, new Uint32Array(capacity));
    this.status = widen(this.status, new Uint8Array(capacity));
    this.closed = widen(this.closed, new Uint8Array(capacity));
    this.endLo = widen(this.endLo, new Uint32Array(capacity));
    this.endHi = widen(this.endHi, new Int32Array(capacity));
  }
}

/** a < b, for int64 values given as a signed high word and an unsigned low word. */
function before(aHi: number, aLo: number, bHi: number, bLo: number): boolean {
  return aHi < bHi || (aHi === bHi && aLo < bLo);
}

export class FaultRows extends ReplayScaffold {
  /**
   * Page -> head of its list of pending rows, for pages not received yet:
   * the faults outstanding, a small table that stays in cache.
   */
  private readonly pages = new PageMap(1024);
  /**
   * The same for pages already received, whose rows wait for a resolve
   * that may never come: looked up only by a page's second resolve.
   */
  private readonly receivedPages = new PageMap();
  private readonly pool = new PendingFaults();
  /** Open wait (a pending counted row) of each non-vCPU thread that has one. */
  private readonly openOfTid = new U32Map();
  private openOfCpu = new Int32Array(0);
  /** Each vCPU's current run, [start, end), while `runOpen`. */
  private runOpen = new Uint8Array(0);
  private runStartLo = new Uint32Array(0);
  private runStartHi = new Int32Array(0);
  private runEndLo = new Uint32Array(0);
  private runEndHi = new Int32Array(0);
  /** vCPUs with an interval that started before their current run: their runs are merged again (finish). */
  private disordered = new Uint8Array(0);
  private readonly maskLo: number;
  private readonly maskHi: number;
  /** Present when the sink takes fault rows, or runs. */
  private readonly faultBatch: FaultRowBatch | undefined;
  private readonly runBatch: BlockedRunBatch | undefined;

  /** `batchRows`: rows per batch handed to `sink`, a multiple of 64. */
  constructor(
    ctx: ReplayContext,
    private readonly sink: DerivedRowSink,
    batchRows: number,
  ) {
    super(ctx);
    const s = this.shift;
    this.maskLo = s >= 32 ? 0 : ~((1 << s) - 1) >>> 0;
    this.maskHi = s <= 32 ? 0xffffffff : ~((1 << (s - 32)) - 1) >>> 0;
    this.faultBatch = sink.faults ? new FaultRowBatch(batchRows) : undefined;
    this.runBatch = sink.runs ? new BlockedRunBatch(batchRows) : undefined;
  }

  protected override size(n: number): void {
    this.openOfCpu = new Int32Array(n).fill(-1);
    this.runOpen = new Uint8Array(n);
    this.runStartLo = new Uint32Array(n);
    this.runStartHi = new Int32Array(n);
    this.runEndLo = new Uint32Array(n);
    this.runEndHi = new Int32Array(n);
    this.disordered = new Uint8Array(n);
  }

  consume(b: TraceBatch): void {
    const len = b.length;
    let i = this.start(b);
    if (i === len) return;
    const kind = b.kind;
    const tids = b.tid;
    const words = addrWords(b.addr);
    const times = new Int32Array(b.t.buffer, b.t.byteOffset, 2 * len);
    const first = b.firstRow;
    const shift = this.shift;
    const maskLo = this.maskLo;
    const maskHi = this.maskHi;
    const vcpus = this.vcpus;
    const received = this.received;
    const pages = this.pages;
    const receivedPages = this.receivedPages;
    const pool = this.pool;
    const openOfCpu = this.openOfCpu;
    const openOfTid = this.openOfTid;
    const writes = this.faultBatch !== undefined;

    // Blocks of rows: their received-set words are loaded first, see PageSet.warm.
    for (let block = i; block < len; block += WARM_ROWS) {
      const end = Math.min(len, block + WARM_ROWS);
      received.warm(kind, words, shift, block, end);
      for (i = block; i < end; i++) {
        switch (kind[i]) {
          case Kind.fault: {
            const tid = tids[i]!;
            const tLo = times[2 * i]! >>> 0;
            const tHi = times[2 * i + 1]!;
            const found = vcpus.cpuOf(tid);
            const cpu = found >= 0 ? found : -1;
            let status = COUNTED;
            if (tid === 0) status = NO_TID;
            else {
              // The thread runs again: whatever it waited on is over.
              const prev = cpu >= 0 ? openOfCpu[cpu]! : openOfTid.take(tid);
              if (prev >= 0) {
                this.close(prev, BY_NEXT_FAULT, tHi, tLo);
                if (cpu >= 0) openOfCpu[cpu] = -1;
              }
            }
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            const wasReceived = received.has(pLo, pHi);
            if (status === COUNTED && wasReceived) status = ALREADY_RECEIVED;
            // Without fault rows, only a wait needs its fault kept.
            if (status !== COUNTED && !writes) break;
            const e = pool.alloc();
            pool.seq[e] = first + i;
            pool.tLo[e] = tLo;
            pool.tHi[e] = tHi;
            pool.tid[e] = tid;
            pool.cpu[e] = cpu;
            pool.aLo[e] = lo & maskLo;
            pool.aHi[e] = hi & maskHi;
            pool.status[e] = status;
            pool.closed[e] = OPEN;
            const head = (wasReceived ? receivedPages : pages).put(pLo, pHi, e);
            pool.next[e] = head === ABSENT ? -1 : head;
            if (status === COUNTED) {
              if (cpu >= 0) openOfCpu[cpu] = e;
              else openOfTid.set(tid, e);
            }
            break;
          }
          case Kind.resolve: {
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            // A page's first resolve adds it to the received set; only a later one can find rows in `receivedPages`.
            let e = received.add(pLo, pHi) ? pages.take(pLo, pHi) : receivedPages.take(pLo, pHi);
            if (e === ABSENT) break;
            const tLo = times[2 * i]! >>> 0;
            const tHi = times[2 * i + 1]!;
            const seq = first + i;
            while (e >= 0) {
              const next = pool.next[e]!;
              if (pool.status[e] === COUNTED && pool.closed[e] === OPEN) {
                this.close(e, BY_RESOLVE, tHi, tLo);
                const cpu = pool.cpu[e]!;
                if (cpu >= 0) openOfCpu[cpu] = -1;
                else openOfTid.take(pool.tid[e]!);
              }
              if (writes) this.write(e, seq, tHi, tLo);
              pool.release(e);
              e = next;
            }
            break;
          }
          case Kind.erase:
            // The `atomic` design's erase after a race (schema.ts): nothing for this design.
            break;
          default:
            this.reject(b, i);
        }
      }
    }
  }

  /**
   * Writes what is still pending: the rows no resolve followed, and each
   * vCPU's last run. Returns the vCPUs whose waits started out of time order
   * (times going backwards): the runs written for them cover the union of
   * their intervals but may overlap or touch, and the caller merges them
   * again.
   */
  finish(): number[] {
    const n = this.fixN();
    const pool = this.pool;
    if (this.faultBatch) for (let e = 0; e < pool.top; e++) if (pool.alive[e] === 1) this.write(e, -1, 0, 0);
    const disordered: number[] = [];
    if (this.runBatch) {
      for (let cpu = 0; cpu < n; cpu++) {
        if (this.disordered[cpu] === 1) disordered.push(cpu);
        if (this.runOpen[cpu] === 1) this.writeRun(cpu);
      }
    }
    if (this.faultBatch && this.faultBatch.length > 0) this.sink.faults!(this.faultBatch);
    if (this.runBatch && this.runBatch.length > 0) this.sink.runs!(this.runBatch);
    return disordered;
  }

  /** Closes counted row `e`'s wait at `t`, and adds the interval to its vCPU's runs (when the sink takes runs). */
  private close(e: number, by: number, tHi: number, tLo: number): void {
    const pool = this.pool;
    pool.closed[e] = by;
    pool.endLo[e] = tLo;
    pool.endHi[e] = tHi;
    const cpu = pool.cpu[e]!;
    if (cpu >= 0 && this.runBatch) this.interval(cpu, pool.tHi[e]!, pool.tLo[e]!, tHi, tLo);
  }

  /** [start, end) joins `cpu`'s runs; empty intervals (end <= start) are left out, as in the view. */
  private interval(cpu: number, sHi: number, sLo: number, eHi: number, eLo: number): void {
    if (!before(sHi, sLo, eHi, eLo)) return;
    if (this.runOpen[cpu] === 1) {
      // Starting before the run, it could also reach runs already written: they are merged again at the end.
      const backwards = before(sHi, sLo, this.runStartHi[cpu]!, this.runStartLo[cpu]!);
      if (backwards) this.disordered[cpu] = 1;
      // Touching intervals join one run, as in the view.
      if (!before(this.runEndHi[cpu]!, this.runEndLo[cpu]!, sHi, sLo) && !before(eHi, eLo, this.runStartHi[cpu]!, this.runStartLo[cpu]!)) {
        if (backwards) {
          this.runStartHi[cpu] = sHi;
          this.runStartLo[cpu] = sLo;
        }
        if (before(this.runEndHi[cpu]!, this.runEndLo[cpu]!, eHi, eLo)) {
          this.runEndHi[cpu] = eHi;
          this.runEndLo[cpu] = eLo;
        }
        return;
      }
      this.writeRun(cpu);
    }
    this.runOpen[cpu] = 1;
    this.runStartHi[cpu] = sHi;
    this.runStartLo[cpu] = sLo;
    this.runEndHi[cpu] = eHi;
    this.runEndLo[cpu] = eLo;
  }

  private writeRun(cpu: number): void {
    const b = this.runBatch!;
    const k = b.length++;
    b.cpu[k] = cpu;
    b.start[2 * k] = this.runStartLo[cpu]!;
    b.start[2 * k + 1] = this.runStartHi[cpu]!;
    b.end[2 * k] = this.runEndLo[cpu]!;
    b.end[2 * k + 1] = this.runEndHi[cpu]!;
    if (b.length === b.capacity) {
      this.sink.runs!(b);
      b.length = 0;
    }
  }

  /** Writes pending row `e`, whose page's next resolve is row `resolveSeq` at time (rHi, rLo), or none when `resolveSeq` < 0. */
  private write(e: number, resolveSeq: number, rHi: number, rLo: number): void {
    const pool = this.pool;
    const b = this.faultBatch!;
    const k = b.length++;
    const seq = pool.seq[e]!;
    b.seq[2 * k] = seq >>> 0;
    b.seq[2 * k + 1] = Math.floor(seq / TWO_32);
    const tLo = pool.tLo[e]!;
    const tHi = pool.tHi[e]!;
    b.t[2 * k] = tLo;
    b.t[2 * k + 1] = tHi;
    b.tid[k] = pool.tid[e]!;
    b.cpu[k] = pool.cpu[e]!;
    b.page[2 * k] = pool.aLo[e]!;
    b.page[2 * k + 1] = pool.aHi[e]!;
    b.status[k] = pool.status[e]!;
    const bit = 1 << (k & 7);
    if (resolveSeq >= 0) {
      b.resolved[k >>> 3] |= bit;
      b.resolveSeq[2 * k] = resolveSeq >>> 0;
      b.resolveSeq[2 * k + 1] = Math.floor(resolveSeq / TWO_32);
      b.resolveT[2 * k] = rLo;
      b.resolveT[2 * k + 1] = rHi;
    }
    const by = pool.closed[e]!;
    if (by !== OPEN) {
      b.closed[k >>> 3] |= bit;
      b.closedBy[k] = by;
      const eLo = pool.endLo[e]!;
      const eHi = pool.endHi[e]!;
      b.end[2 * k] = eLo;
      b.end[2 * k + 1] = eHi;
      // end - t in 64 bits; a negative duration (times going backwards) is 0, as in the view.
      const dLo = eLo - tLo;
      const dHi = eHi - tHi - (dLo < 0 ? 1 : 0);
      b.latency[2 * k] = dHi < 0 ? 0 : dLo >>> 0;
      b.latency[2 * k + 1] = dHi < 0 ? 0 : dHi;
    }
    if (b.length === b.capacity) {
      this.sink.faults!(b);
      b.clear();
    }
  }
}
