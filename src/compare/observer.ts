/**
 * Follows the three designs fault by fault, beside the variants in the same
 * pass, to say why their figures differ: a ledger of what each design did
 * with each vCPU fault, and the rows where their accounting diverges.
 *
 * It keeps the per-fault bookkeeping the plain variants do without (which
 * design credited which fault, by how much), so `analyze` stays fast; the
 * figures `compare` prints still come from the variants themselves, and the
 * tests check that this ledger adds up to their differences.
 */
import type { ReplayContext } from '../replay/context.js';
import { formatDuration } from '../units.js';
import { MsClock } from '../replay/ms-clock.js';
import { ABSENT, PageMap, U32Map, pageHex, pageHi, pageLo } from '../replay/page-table.js';
import { ReplayScaffold } from '../replay/scaffold.js';
import { addrWords, type TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import { FlaggedSlotPool, widen } from '../replay/slot-pool.js';
import type { CompareExplanation, CountNs, DivergenceEvent } from './result.js';

/** A fault still pending in the `mutex` design: chained per page, newest first, in typed arrays. */
class FaultPool extends FlaggedSlotPool {
  owner = new Int32Array(1024);
  tid = new Uint32Array(1024);
  tFault = new Float64Array(1024);
  /** Its `exact` length once its interval closed, -1 while open. */
  exactLen = new Float64Array(1024);

  protected growOwnColumns(capacity: number): void {
    this.owner = widen(this.owner, new Int32Array(capacity));
    this.tid = widen(this.tid, new Uint32Array(capacity));
    this.tFault = widen(this.tFault, new Float64Array(capacity));
    this.exactLen = widen(this.exactLen, new Float64Array(capacity));
  }
}

const counter = (): CountNs => ({ count: 0, ns: 0 });


export class DivergenceObserver extends ReplayScaffold {
  private readonly clock: MsClock;
  private readonly pending = new PageMap(1024);
  private readonly pool = new FaultPool();
  private readonly openOfTid = new U32Map();

  /** exact: each vCPU's open interval (a pool entry), or -1. */
  private openOfCpu = new Int32Array(0);
  /** mutex: outstanding faults per vCPU. */
  private current = new Int32Array(0);
  /** atomic: the fault in each vCPU's slot (a pool entry), or -1; and the slot's start in ms. */
  private slot = new Int32Array(0);
  private slotMs = new Uint32Array(0);

  private downMutex = 0;
  private lastBeginMutex = 0;
  private downExact = 0;
  private sinceExact = 0;
  private downAtomic = 0;
  private lastBeginAtomic = 0;
  /** atomic: the ms of the last fault that took a vCPU from an empty slot to a kept one. */
  private lastUpAtomic = 0;

  readonly explanation: CompareExplanation = {
    reentrant: counter(),
    mutex_dropped: counter(),
    mutex_inflated: counter(),
    overwritten: counter(),
    erased: 0,
    lost_blocked_vcpu: 0,
    ignored_non_vcpu: 0,
    ms_truncation_lost_ns: 0,
    all_down_shortened: counter(),
  };
  readonly events: DivergenceEvent[] = [];

  constructor(
    ctx: ReplayContext,
    private explainMax: number,
  ) {
    super(ctx);
    this.clock = new MsClock(ctx.baseNs, ctx.startNs ?? ctx.baseNs);
  }

  protected override size(n: number): void {
    this.openOfCpu = new Int32Array(n).fill(-1);
    this.current = new Int32Array(n);
    this.slot = new Int32Array(n).fill(-1);
    this.slotMs = new Uint32Array(n);
  }

  consume(b: TraceBatch, rel: Float64Array): void {
    let i = this.start(b);
    if (i === b.length) return;
    const words = addrWords(b.addr);
    for (; i < b.length; i++) {
      const kind = b.kind[i];
      if (kind !== Kind.fault && kind !== Kind.resolve) continue;
      const lo = words[2 * i]!;
      const hi = words[2 * i + 1]!;
      const pLo = pageLo(lo, hi, this.shift);
      const pHi = pageHi(hi, this.shift);
      if (kind === Kind.fault) {
        if (b.tid[i] !== 0) this.fault(b, i, rel[i]!, pLo, pHi);
      } else this.resolve(b, i, rel[i]!, pLo, pHi);
    }
  }

  private fault(b: TraceBatch, i: number, t: number, pLo: number, pHi: number): void {
    const { pool, explanation: x } = this;
    const tid = b.tid[i]!;
    const cpu = this.vcpus.cpuOf(tid);
    const received = this.received.has(pLo, pHi);

    // exact: the thread runs again, so its open wait (if any) ends here.
    const prev = cpu >= 0 ? this.openOfCpu[cpu]! : this.openOfTid.take(tid);
    let prevLen = 0;
    if (prev >= 0) {
      prevLen = Math.max(0, t - pool.tFault[prev]!);
      pool.exactLen[prev] = prevLen;
      if (cpu >= 0) {
        this.openOfCpu[cpu] = -1;
        x.reentrant.count++;
        x.reentrant.ns += prevLen;
        this.downExact--;
      }
    }

    // atomic: slot overwrite, inject-then-erase; other threads ignored.
    let wasEmpty = true;
    if (cpu >= 0) {
      const o = this.clock.at(t);
      const inSlot = this.slot[cpu]!;
      wasEmpty = inSlot < 0;
      if (wasEmpty) this.downAtomic++;
      else {
        x.overwritten.count++;
        x.overwritten.ns += Math.max(0, pool.exactLen[inSlot]!);
      }
      this.lastBeginAtomic = o;
      if (received) {
        this.slot[cpu] = -1;
        this.downAtomic--;
        x.erased++;
        if (!wasEmpty) x.lost_blocked_vcpu++;
      } else {
        this.slotMs[cpu] = o;
        if (wasEmpty) this.lastUpAtomic = o;
      }
    } else x.ignored_non_vcpu++;

    let e = -1;
    if (!received) {
      e = pool.alloc();
      pool.owner[e] = cpu >= 0 ? cpu : -1;
      pool.tid[e] = tid;
      pool.tFault[e] = t;
      pool.exactLen[e] = -1;
      const head = this.pending.put(pLo, pHi, e);
      pool.next[e] = head === ABSENT ? -1 : head;
      if (cpu >= 0) {
        if (this.current[cpu]++ === 0) {
          this.downMutex++;
          this.lastBeginMutex = t;
        }
        this.openOfCpu[cpu] = e;
        this.slot[cpu] = e;
        if (++this.downExact === this.n) this.sinceExact = t;
      } else this.openOfTid.set(tid, e);
    }

    const diverges = cpu < 0 ? prev >= 0 || !received : prev >= 0 || received;
    if (!diverges || this.events.length >= this.explainMax) return;
    const page = pageHex(pLo, pHi, this.shift);
    let mutex: string;
    let atomic: string;
    let exact: string;
    if (cpu < 0) {
      mutex = received ? 'ignored: page received' : 'counted as a non-vCPU fault';
      atomic = 'ignored: not a vCPU';
      exact = prev >= 0 ? `closed thread ${tid}'s wait (${formatDuration(prevLen)})` : '';
      exact += received ? (exact ? '; page received' : 'ignored: page received') : `${exact ? '; ' : ''}opened a non-vCPU wait`;
    } else {
      const outstanding = this.current[cpu]!;
      mutex = received ? `ignored: page received (${outstanding} still outstanding)` : `${outstanding} outstanding: earlier wait kept pending`;
      if (!received && outstanding === 1) mutex = 'opened the only outstanding fault';
      atomic = wasEmpty ? 'took the empty slot' : 'overwrote the slot: earlier wait lost';
      if (received) atomic += wasEmpty ? ', erased (last_begin moved)' : ', erased: vCPU dropped from down while blocked';
      exact = prev >= 0 ? `closed the previous wait (${formatDuration(prevLen)})` : '';
      exact += received ? `${exact ? '; ' : ''}page received, nothing opened` : `${exact ? '; ' : ''}opened a wait`;
    }
    this.record(b, i, t, 'fault', cpu >= 0 ? cpu : -1, page, mutex, atomic, exact);
  }

  private resolve(b: TraceBatch, i: number, t: number, pLo: number, pHi: number): void {
    const { pool, explanation: x, n } = this;
    this.received.add(pLo, pHi);
    let e = this.pending.take(pLo, pHi);
    if (e === ABSENT) return;
    const o = this.clock.at(t);
    const wantText = this.events.length < this.explainMax;
    const mutexText: string[] = [];
    const atomicText: string[] = [];
    const exactText: string[] = [];
    let diverges = false;
    let affectedMutex = 0;
    let affectedExact = 0;
    let affectedAtomic = 0;
    while (e >= 0) {
      const next = pool.next[e]!;
      const cpu = pool.owner[e]!;
      const d = Math.max(0, t - pool.tFault[e]!);
      const openInExact = pool.exactLen[e]! < 0;
      if (openInExact) {
        pool.exactLen[e] = d;
        if (cpu >= 0) {
          this.openOfCpu[cpu] = -1;
          affectedExact++;
        } else this.openOfTid.take(pool.tid[e]!);
      }
      if (cpu >= 0) {
        const len = pool.exactLen[e]!;
        const exactNow = openInExact ? d : 0;
        let mutexNow = 0;
        if (--this.current[cpu] === 0) {
          mutexNow = d;
          affectedMutex++;
          if (d > len) {
            x.mutex_inflated.count++;
            x.mutex_inflated.ns += d - len;
          }
        } else {
          x.mutex_dropped.count++;
          x.mutex_dropped.ns += len;
        }
        let atomicNow = -1;
        if (this.slot[cpu] === e) {
          atomicNow = ((o - this.slotMs[cpu]!) >>> 0) * 1e6;
          x.ms_truncation_lost_ns += len - atomicNow;
          this.slot[cpu] = -1;
          affectedAtomic++;
        }
        if (mutexNow !== exactNow || (atomicNow >= 0) !== openInExact) diverges = true;
        if (wantText) {
          mutexText.push(mutexNow > 0 || this.current[cpu] === 0 ? `cpu ${cpu} +${formatDuration(mutexNow)}` : `cpu ${cpu}: nothing, ${this.current[cpu]} still outstanding`);
          atomicText.push(atomicNow >= 0 ? `cpu ${cpu} +${formatDuration(atomicNow)}` : `cpu ${cpu}: nothing, slot no longer holds this page`);
          exactText.push(openInExact ? `cpu ${cpu} +${formatDuration(d)}` : `cpu ${cpu}: nothing, its wait ended at the next fault`);
        }
      }
      pool.release(e);
      e = next;
    }

    let mutexWindow = 0;
    if (affectedMutex > 0 && this.downMutex === n) mutexWindow = Math.max(0, t - this.lastBeginMutex);
    this.downMutex -= affectedMutex;
    let exactWindow = 0;
    if (affectedExact > 0 && this.downExact === n) exactWindow = Math.max(0, t - this.sinceExact);
    this.downExact -= affectedExact;
    let atomicWindow = -1;
    if (affectedAtomic > 0 && this.downAtomic === n) {
      atomicWindow = ((o - this.lastBeginAtomic) >>> 0) * 1e6;
      if (this.lastBeginAtomic !== this.lastUpAtomic) {
        x.all_down_shortened.count++;
        x.all_down_shortened.ns += ((this.lastBeginAtomic - this.lastUpAtomic) >>> 0) * 1e6;
        diverges = true;
      }
    }
    this.downAtomic -= affectedAtomic;
    if (mutexWindow !== exactWindow || (atomicWindow > 0) !== (exactWindow > 0)) diverges = true;

    if (!diverges || !wantText) return;
    if (mutexWindow > 0) mutexText.push(`total +${formatDuration(mutexWindow)}`);
    if (atomicWindow > 0) atomicText.push(`total +${formatDuration(atomicWindow)}`);
    if (exactWindow > 0) exactText.push(`total +${formatDuration(exactWindow)}`);
    const none = 'nothing credited';
    this.record(
      b,
      i,
      t,
      'resolve',
      null,
      pageHex(pLo, pHi, this.shift),
      mutexText.join('; ') || none,
      atomicText.join('; ') || none,
      exactText.join('; ') || none,
    );
  }

  private record(b: TraceBatch, i: number, t: number, kind: 'fault' | 'resolve', vcpu: number | null, page: string, mutex: string, atomic: string, exact: string): void {
    this.events.push({ row: b.firstRow + i, t_ns: b.t[i]!.toString(), offset_ns: t, kind, vcpu, page, mutex, atomic, exact });
  }

  /** Closes the ledger: vCPU waits `exact` closed (the thread moved on) but `mutex` never resolved are dropped too. */
  /** The explanation's counters at a windowed pass's marks (src/replay/window.ts): since, then until. */
  private readonly marks: CompareExplanation[] = [];

  /** At `since` the divergent rows are listed from there on; at `until` the list stops. */
  mark(): void {
    this.marks.push(structuredClone(this.explanation));
    if (this.marks.length === 1) this.events.length = 0;
    else this.explainMax = this.events.length;
  }

  /** What the counters grew by in the window (call after finish); an instant no row reached is the end. */
  windowedExplanation(): CompareExplanation {
    const end = this.explanation;
    const since = this.marks[0] ?? end;
    const until = this.marks[1] ?? end;
    const d = (u: CountNs, s: CountNs): CountNs => ({ count: u.count - s.count, ns: u.ns - s.ns });
    return {
      reentrant: d(until.reentrant, since.reentrant),
      mutex_dropped: d(until.mutex_dropped, since.mutex_dropped),
      mutex_inflated: d(until.mutex_inflated, since.mutex_inflated),
      overwritten: d(until.overwritten, since.overwritten),
      erased: until.erased - since.erased,
      lost_blocked_vcpu: until.lost_blocked_vcpu - since.lost_blocked_vcpu,
      ignored_non_vcpu: until.ignored_non_vcpu - since.ignored_non_vcpu,
      ms_truncation_lost_ns: until.ms_truncation_lost_ns - since.ms_truncation_lost_ns,
      all_down_shortened: d(until.all_down_shortened, since.all_down_shortened),
    };
  }

  finish(): void {
    this.fixN();
    const { pool, explanation: x } = this;
    for (let e = 0; e < pool.top; e++) {
      if (pool.alive[e] === 1 && pool.owner[e]! >= 0 && pool.exactLen[e]! >= 0) {
        x.mutex_dropped.count++;
        x.mutex_dropped.ns += pool.exactLen[e]!;
      }
    }
  }
}
