/**
 * A discrete-event simulation of postcopy's threads: vCPUs (and other
 * threads) touch guest memory and block on missing pages; one fault thread
 * handles the userfaultfd messages in arrival order and requests pages; the
 * resolve thread places them (waking every thread waiting on the page) and
 * then accounts the resolve; a background stream places pages nobody asked
 * for. Rows are the accounting events, emitted in time order: the order the
 * page-request mutex serializes them in (QEMU 10.1+), which is what a trace is.
 *
 * Each irregularity of real runs is a knob (SimOptions) and is produced only
 * when its knob is non-zero, so a rate of 0 guarantees none of that kind:
 * - re-entrant: the placement wakes a vCPU which faults again before the
 *   resolve is accounted; the resolve is then held until that next fault is
 *   recorded, or (late order) until the next page's own resolve is accounted;
 * - duplicate: another thread faults on a page already requested, or the same
 *   thread faults on its page again (a signal interrupted the wait);
 * - received: the background stream places the page between the access and
 *   the fault thread's handling, so the fault row follows the resolve row;
 * - non-vCPU threads and tid 0 (no thread id in the message).
 * Otherwise the simulation keeps them from happening by accident: a thread
 * woken by a placement runs again only after the resolve is accounted, a held
 * resolve is accounted before the vCPU's next page can arrive (unless the late
 * order is asked for), no two threads touch one missing page unless
 * `duplicate` says so, and the background stream skips pages a thread has
 * touched unless `received` says so.
 *
 * Memory: the event heap and pending-page table scale with the threads, the
 * page state with guest memory (2 bits a page); rows leave in fixed-size
 * batches, so a run of any length needs no more than that.
 */
import type { TraceBatch } from '../../trace/batch.js';
import { allocBatch, sliceBatch } from '../../trace/batch.js';
import { Kind, type TraceMeta } from '../../trace/schema.js';
import { EventQueue } from './event-queue.js';
import type { SimOptions } from './options.js';
import type { ScenarioName } from './scenarios.js';
import { NO_PAGE, PendingPages } from './pending-pages.js';
import { Prng } from './prng.js';

const EV_ACCESS = 0;
const EV_FAULT = 1;
const EV_PLACE = 2;
const EV_PLACE_RACE = 3;
const EV_RESOLVE = 4;
const EV_BACKGROUND = 5;

/** Fault-record flags. */
const F_TID0 = 1;
/** This record is the same thread faulting again on its page. */
const F_REPEAT = 2;
/** After requesting the page, schedule a repeat of this fault before the page arrives. */
const F_PLAN_REPEAT = 4;

/** Timing of the threads' own work, ns (uniform ranges): small next to request latency, as on real hosts. */
const FAULT_THREAD_WAKE = [2_000, 8_000] as const;
const FAULT_THREAD_SERVICE = [500, 1_500] as const;
const WAKE_AFTER_PLACE = [1_000, 4_000] as const;
const RESOLVE_AFTER_PLACE = [1_000, 5_000] as const;
const REENTRANT_RUN = [200, 2_000] as const;
const HELD_RESOLVE_AFTER_FAULT = [1_000, 20_000] as const;
const LATE_RESOLVE_AFTER_NEXT = [1_000, 50_000] as const;
/** Shortest request latency: a page cannot come back faster than this. */
const MIN_LATENCY = 1_000;
/** Picks per access before a thread gives up on finding a missing page and runs on. */
const PICK_TRIES = 16;
/** A re-entrant vCPU must fault: it tries harder. */
const REENTRANT_PICK_TRIES = 64;
/** Recently requested pages, candidates for another thread's duplicate fault. */
const RECENT = 64;

const TWO_32 = 4294967296;

/** Page state bits (see `pageBits`). */
const PLACED = 1;
const CLAIMED = 2;

/** What the simulation produced of each kind, for tests and the capture summary. */
export interface SimStats {
  rows: number;
  vcpuFaults: number;
  nonVcpuFaults: number;
  tid0Faults: number;
  requests: number;
  /** Resolves held back because the woken vCPU faulted again first. */
  reentrant: number;
  /** Of those, resolved after the next page (the other order). */
  lateResolves: number;
  /** Extra faults on a pending page: another thread's, or the same thread's repeat. */
  duplicates: number;
  /** Faults recorded after their page was placed. */
  receivedFaults: number;
  backgroundPlacements: number;
  /** Simulated time of the last row, ns from the start. */
  endNs: number;
}

export class Simulator {
  readonly meta: TraceMeta;
  readonly stats: SimStats = {
    rows: 0,
    vcpuFaults: 0,
    nonVcpuFaults: 0,
    tid0Faults: 0,
    requests: 0,
    reentrant: 0,
    lateResolves: 0,
    duplicates: 0,
    receivedFaults: 0,
    backgroundPlacements: 0,
    endNs: 0,
  };

  readonly options: SimOptions;
  private readonly o: SimOptions;
  private readonly rng: Prng;
  private readonly q = new EventQueue();
  private readonly pending = new PendingPages();
  private readonly pages: number;
  /**
   * Two bits a page, interleaved so one load answers both questions: PLACED
   * (the page is in guest memory) and CLAIMED (a thread faulted on it, or
   * it is requested). 16 pages a word.
   */
  private readonly pageBits: Uint32Array;
  /** Pages neither placed nor claimed by a thread. */
  private untaken: number;

  /** Start of the trace (CLOCK_MONOTONIC-like: ns since boot), a multiple of the clock resolution. */
  private readonly t0: number;
  private readonly addrBase: number;
  private readonly resolveTid: number;

  // Threads: vCPUs are 0..vcpus-1, other threads after them.
  private readonly actors: number;
  private readonly tid: Uint32Array;
  private readonly thinkMean: Float64Array;
  private readonly waitPage: Uint32Array;
  private readonly nextWaiter: Int32Array;
  /** The thread's fault on `waitPage` was recorded and counted: eligible for a re-entrant fault. */
  private readonly recorded: Uint8Array;
  private readonly heldPage: Uint32Array;
  /** 1: release the held resolve after the next fault is recorded; 2: after the next page's resolve. */
  private readonly heldMode: Uint8Array;

  private readonly endTime: number;
  private readonly faultLimit: number;
  private issued = 0;
  private stopped = false;
  private lastHandle = 0;
  private seqCursor = 0;
  private bgCursor = 0;
  private readonly bgInterval: number;
  private readonly hotBase: number;
  private readonly hotPages: number;
  private readonly recent = new Uint32Array(RECENT).fill(NO_PAGE);
  private recentNext = 0;

  // The batch being filled.
  private batch: TraceBatch & { length: number };
  private tWords: Uint32Array;
  private aWords: Uint32Array;
  private row = 0;
  private firstRow = 0;
  /** Time of the last row written, ns from the start. */
  private lastRel = 0.5;

  constructor(options: SimOptions, scenario?: ScenarioName) {
    const o = (this.o = this.options = options);
    this.rng = new Prng(o.seed);
    const rng = this.rng;
    this.pages = o.memoryBytes / o.pageSize;
    this.pageBits = new Uint32Array(Math.ceil(this.pages / 16));
    this.untaken = this.pages;

    const res = o.clockResolutionNs;
    // Up to ten days since boot: past 2^32 ns, well below 2^53.
    const bootNs = Math.floor((1000 + rng.float() * 864_000) * 1e9);
    this.t0 = Math.floor(bootNs / res) * res;
    // Guest RAM as a 2 MiB-aligned mapping high in the x86-64 user address space, where mmap puts it.
    this.addrBase = 0x7f00_0000_0000 - Math.ceil(o.memoryBytes / 2 ** 30) * 2 ** 30 - rng.below(1 << 18) * 2 ** 21;
    const pid = 1000 + rng.below(60_000);

    const nonVcpuThreads = o.nonVcpu > 0 ? o.nonVcpuThreads : 0;
    const n = (this.actors = o.vcpus + nonVcpuThreads);
    this.tid = new Uint32Array(n);
    this.thinkMean = new Float64Array(n);
    this.waitPage = new Uint32Array(n).fill(NO_PAGE);
    this.nextWaiter = new Int32Array(n).fill(-1);
    this.recorded = new Uint8Array(n);
    this.heldPage = new Uint32Array(n).fill(NO_PAGE);
    this.heldMode = new Uint8Array(n);
    // QEMU's thread ids: main thread = pid, then helpers, then the vCPUs, then I/O and migration threads.
    for (let i = 0; i < o.vcpus; i++) {
      this.tid[i] = pid + 4 + i;
      this.thinkMean[i] = o.thinkNs;
    }
    const otherThink = nonVcpuThreads > 0 ? this.otherThreadThink(nonVcpuThreads) : 0;
    for (let k = 0; k < nonVcpuThreads; k++) {
      this.tid[o.vcpus + k] = k === 0 ? pid : pid + 4 + o.vcpus + k;
      this.thinkMean[o.vcpus + k] = otherThink;
    }
    this.resolveTid = pid + 4 + o.vcpus + nonVcpuThreads + 1;

    this.endTime = o.faults === undefined ? o.durationNs : Infinity;
    this.faultLimit = o.faults ?? Infinity;
    this.bgInterval = o.bandwidth > 0 ? (o.pageSize / o.bandwidth) * 1e9 : 0;
    this.hotPages = Math.max(1, Math.floor(this.pages / 16));
    this.hotBase = rng.below(this.pages - this.hotPages + 1);

    this.meta = {
      pageSize: o.pageSize,
      vcpus: o.vcpus,
      startNs: BigInt(this.t0),
      source: { kind: 'sim', ...(scenario ? { scenario } : {}), ...o },
    };
    this.batch = allocBatch(o.batchRows);
    this.tWords = new Uint32Array(this.batch.t.buffer);
    this.aWords = new Uint32Array(this.batch.addr.buffer);
  }

  /**
   * Think time of the non-vCPU threads such that they take about `nonVcpu` of
   * all faults: each thread faults once per (think + latency), so
   * K / (T_o + L) = f / (1 - f) * N / (T_v + L).
   */
  private otherThreadThink(k: number): number {
    const o = this.o;
    const meanLatency = o.latencyNs * Math.exp((o.latencySpread * o.latencySpread) / 2) + FAULT_THREAD_WAKE[1];
    const vcpuCycle = o.thinkNs + meanLatency;
    const t = (k * (1 - o.nonVcpu) * vcpuCycle) / (o.nonVcpu * o.vcpus) - meanLatency;
    return Math.max(1_000, t);
  }

  /** Yields the trace in batches of `batchRows` rows (the last one shorter); one pass only. */
  *batches(onProgress?: (rows: number, simulatedNs: number) => void): Generator<TraceBatch> {
    const o = this.o;
    const q = this.q;
    const rng = this.rng;
    q.t = 0;
    for (let c = 0; c < o.vcpus; c++) {
      this.emit(Kind.vcpu, this.tid[c]!, NO_PAGE, 0, c);
      if (this.row === o.batchRows) yield this.flush(onProgress);
    }
    // Threads first touch memory at least one clock tick after the vcpu rows (accounting starts before the
    // guest runs), so even a millisecond clock never puts a fault at the blocktime start.
    for (let a = 0; a < this.actors; a++) {
      q.at = o.clockResolutionNs + rng.exponential(this.thinkMean[a]!);
      q.push(EV_ACCESS, a, 0, 0);
    }
    if (this.bgInterval > 0) {
      q.at = rng.float() * this.bgInterval;
      q.push(EV_BACKGROUND, -1, 0, 0);
    }

    while (q.size > 0) {
      q.pop();
      switch (q.evType) {
        case EV_ACCESS:
          this.access(q.evActor);
          break;
        case EV_FAULT:
          this.faultRecord(q.evActor, q.evPage, q.evFlags);
          break;
        case EV_PLACE:
          this.place(q.evPage);
          break;
        case EV_PLACE_RACE:
          this.placeRace(q.evPage);
          break;
        case EV_RESOLVE:
          this.resolveRecord(q.evPage);
          break;
        case EV_BACKGROUND:
          this.background();
          break;
      }
      if (this.row === o.batchRows) yield this.flush(onProgress);
    }
    if (this.row > 0) yield this.flush(onProgress);
  }

  private flush(onProgress: ((rows: number, simulatedNs: number) => void) | undefined): TraceBatch {
    const out = this.row === this.batch.length ? this.batch : sliceBatch(this.batch, this.row);
    this.firstRow += this.row;
    this.row = 0;
    this.batch = allocBatch(this.o.batchRows, this.firstRow);
    this.tWords = new Uint32Array(this.batch.t.buffer);
    this.aWords = new Uint32Array(this.batch.addr.buffer);
    this.stats.rows = this.firstRow;
    this.stats.endNs = this.lastRel;
    onProgress?.(this.firstRow, this.lastRel);
    return out;
  }

  /** Appends one row at the current simulated time, floored to the clock resolution. */
  private emit(kind: number, tid: number, page: number, offset: number, cpu: number): void {
    const i = this.row++;
    const res = this.o.clockResolutionNs;
    const t = this.q.t;
    const rel = res === 1 ? Math.floor(t) : Math.floor(t / res) * res;
    this.lastRel = rel;
    const abs = this.t0 + rel;
    const hi = Math.floor(abs / TWO_32);
    this.tWords[2 * i] = abs - hi * TWO_32;
    this.tWords[2 * i + 1] = hi;
    if (page !== NO_PAGE) {
      const addr = this.addrBase + page * this.o.pageSize + offset;
      const ahi = Math.floor(addr / TWO_32);
      this.aWords[2 * i] = addr - ahi * TWO_32;
      this.aWords[2 * i + 1] = ahi;
    } else {
      this.aWords[2 * i] = 0;
      this.aWords[2 * i + 1] = 0;
    }
    this.batch.kind[i] = kind;
    this.batch.tid[i] = tid;
    this.batch.cpu[i] = cpu;
  }

  /** The page's PLACED and CLAIMED bits. */
  private bits(page: number): number {
    return (this.pageBits[page >>> 4]! >>> ((page & 15) << 1)) & 3;
  }

  private take(page: number, bit: number): void {
    const w = page >>> 4;
    const shift = (page & 15) << 1;
    const word = this.pageBits[w]!;
    if (((word >>> shift) & 3) === 0) this.untaken--;
    this.pageBits[w] = word | (bit << shift);
  }

  private pick(): number {
    const o = this.o;
    switch (o.pattern) {
      case 'seq': {
        const p = this.seqCursor;
        this.seqCursor = p + 1 === this.pages ? 0 : p + 1;
        return p;
      }
      case 'hotset':
        return this.rng.float() < 0.8 ? this.hotBase + this.rng.below(this.hotPages) : this.rng.below(this.pages);
      default:
        return this.rng.below(this.pages);
    }
  }

  private access(a: number): void {
    const t = this.q.t;
    const o = this.o;
    const rng = this.rng;
    if (!this.stopped && (t > this.endTime || this.issued >= this.faultLimit || this.untaken === 0)) this.stopped = true;
    if (this.stopped) {
      this.releaseHold(a, FAULT_THREAD_WAKE[0]);
      return;
    }
    const reentrant = this.heldPage[a] !== NO_PAGE;
    // The fault thread reads messages in arrival order, one at a time.
    const handle = Math.max(t + rng.between(FAULT_THREAD_WAKE[0], FAULT_THREAD_WAKE[1]), this.lastHandle + rng.between(FAULT_THREAD_SERVICE[0], FAULT_THREAD_SERVICE[1]));
    let flags = 0;
    if (o.duplicate > 0 && rng.float() < o.duplicate && this.issued + 2 <= this.faultLimit) {
      if (rng.float() < 0.5) {
        const p = this.pendingElsewhere(handle);
        if (p !== NO_PAGE) {
          if (o.tid0 > 0 && rng.float() < o.tid0) flags |= F_TID0;
          this.wait(a, p);
          this.lastHandle = handle;
          this.issued++;
          this.stats.duplicates++;
          this.q.at = handle;
          this.q.push(EV_FAULT, a, p, flags);
          return;
        }
      }
      flags |= F_PLAN_REPEAT;
    }
    let page = NO_PAGE;
    for (let i = reentrant ? REENTRANT_PICK_TRIES : PICK_TRIES; i > 0; i--) {
      const p = this.pick();
      if (this.bits(p) === 0) {
        page = p;
        break;
      }
    }
    if (page === NO_PAGE) {
      // Every page tried is present: the thread runs on and touches memory again later.
      if (reentrant) this.releaseHold(a, FAULT_THREAD_WAKE[0]);
      this.q.at = t + 1 + rng.exponential(this.thinkMean[a]!);
      this.q.push(EV_ACCESS, a, 0, 0);
      return;
    }
    this.take(page, CLAIMED);
    this.wait(a, page);
    this.lastHandle = handle;
    if (o.received > 0 && rng.float() < o.received) {
      // The background stream places the page while the message waits for the fault thread.
      const gap = handle - t;
      this.q.at = t + gap * rng.between(0.1, 0.4);
      this.q.push(EV_PLACE_RACE, -1, page, 0);
      this.q.at = t + gap * rng.between(0.5, 0.9);
      this.q.push(EV_RESOLVE, -1, page, 0);
      flags &= ~F_PLAN_REPEAT;
    }
    if (o.tid0 > 0 && rng.float() < o.tid0) flags |= F_TID0;
    this.issued += flags & F_PLAN_REPEAT ? 2 : 1;
    this.q.at = handle;
    this.q.push(EV_FAULT, a, page, flags);
  }

  /** A recently requested page that is still missing and will stay so past `handle`, or NO_PAGE. */
  private pendingElsewhere(handle: number): number {
    for (let i = 1; i <= RECENT; i++) {
      const p = this.recent[(this.recentNext - i) & (RECENT - 1)]!;
      if (p === NO_PAGE) return NO_PAGE;
      if (this.bits(p) & PLACED) continue;
      const s = this.pending.find(p);
      if (s >= 0 && this.pending.placeTime[s]! > handle + MIN_LATENCY) return p;
    }
    return NO_PAGE;
  }

  private wait(a: number, page: number): void {
    const s = this.pending.insert(page);
    this.waitPage[a] = page;
    this.recorded[a] = 0;
    this.nextWaiter[a] = this.pending.waiterHead[s]!;
    this.pending.waiterHead[s] = a;
  }

  private faultRecord(a: number, page: number, flags: number): void {
    const t = this.q.t;
    const o = this.o;
    const rng = this.rng;
    const tid = flags & F_TID0 ? 0 : this.tid[a]!;
    this.emit(Kind.fault, tid, page, rng.below(o.pageSize >>> 3) << 3, -1);
    if (tid === 0) this.stats.tid0Faults++;
    else if (a < o.vcpus) this.stats.vcpuFaults++;
    else this.stats.nonVcpuFaults++;
    if (this.bits(page) & PLACED) {
      this.stats.receivedFaults++;
      // The fault thread records the thread's next fault no sooner than one service time from now.
      this.releaseHold(a, FAULT_THREAD_SERVICE[0]);
      return;
    }
    if (flags & F_REPEAT) return;
    if (tid !== 0 && this.waitPage[a] === page) this.recorded[a] = 1;
    const s = this.pending.insert(page);
    if (this.pending.placeTime[s] === Infinity) {
      const arrive = t + Math.max(MIN_LATENCY, rng.lognormal(o.latencyNs, o.latencySpread));
      this.pending.placeTime[s] = arrive;
      this.stats.requests++;
      this.q.at = arrive;
      this.q.push(EV_PLACE, -1, page, 0);
      this.recent[this.recentNext] = page;
      this.recentNext = (this.recentNext + 1) & (RECENT - 1);
    }
    if (flags & F_PLAN_REPEAT) {
      this.stats.duplicates++;
      this.q.at = t + (this.pending.placeTime[s]! - t) * rng.between(0.1, 0.6);
      this.q.push(EV_FAULT, a, page, F_REPEAT);
    }
    const held = this.heldPage[a]!;
    if (held !== NO_PAGE) {
      this.heldPage[a] = NO_PAGE;
      if (this.heldMode[a] === 2 && this.pending.chained[s] === NO_PAGE) {
        this.pending.chained[s] = held;
        this.stats.lateResolves++;
      } else {
        // The usual order: accounted before this fault's own page can arrive, however short its latency.
        const before = (this.pending.placeTime[s]! - t) / 2;
        this.q.at = t + Math.min(before, rng.between(HELD_RESOLVE_AFTER_FAULT[0], HELD_RESOLVE_AFTER_FAULT[1]));
        this.q.push(EV_RESOLVE, -1, held, 0);
      }
    }
  }

  /** The resolve thread places a requested page: every waiter wakes; the resolve is accounted a little later. */
  private place(page: number): void {
    const t = this.q.t;
    const o = this.o;
    const rng = this.rng;
    this.take(page, PLACED);
    const s = this.pending.find(page);
    let holder = -1;
    let resolveAt = -1;
    // A page with a late resolve chained to it ends that episode: its vCPU is not made re-entrant again, so
    // the late order shows on its own.
    const lateEpisode = s >= 0 && this.pending.chained[s] !== NO_PAGE;
    // Only a page with a single waiter: the others would run on before the held resolve too, re-entrant by accident.
    const a0 = s >= 0 ? this.pending.waiterHead[s]! : -1;
    const single = a0 >= 0 && this.nextWaiter[a0] === -1;
    if (single && !lateEpisode && o.reentrant > 0 && a0 < o.vcpus && this.recorded[a0] && this.heldPage[a0] === NO_PAGE && !this.stopped && rng.float() < o.reentrant) {
      holder = a0;
    }
    if (holder < 0) {
      resolveAt = t + rng.between(RESOLVE_AFTER_PLACE[0], RESOLVE_AFTER_PLACE[1]);
      this.q.at = resolveAt;
      this.q.push(EV_RESOLVE, -1, page, 0);
      const chained = s >= 0 ? this.pending.chained[s]! : NO_PAGE;
      if (chained !== NO_PAGE) {
        // The late resolve of an earlier page follows this one; the waiters run on only after both.
        this.pending.chained[s] = NO_PAGE;
        resolveAt += rng.between(LATE_RESOLVE_AFTER_NEXT[0], LATE_RESOLVE_AFTER_NEXT[1]);
        this.q.at = resolveAt;
        this.q.push(EV_RESOLVE, -1, chained, 0);
      }
    }
    for (let a = s >= 0 ? this.pending.waiterHead[s]! : -1; a >= 0; ) {
      const next = this.nextWaiter[a]!;
      this.waitPage[a] = NO_PAGE;
      this.recorded[a] = 0;
      this.nextWaiter[a] = -1;
      const woken = t + rng.between(WAKE_AFTER_PLACE[0], WAKE_AFTER_PLACE[1]);
      if (a === holder) {
        // Re-entrant: the vCPU runs and faults again before the resolve thread accounts this page.
        this.heldPage[a] = page;
        this.heldMode[a] = o.lateResolve > 0 && rng.float() < o.lateResolve ? 2 : 1;
        this.stats.reentrant++;
        this.q.at = woken + rng.between(REENTRANT_RUN[0], REENTRANT_RUN[1]);
        this.q.push(EV_ACCESS, a, 0, 0);
      } else {
        const run = woken + rng.exponential(this.thinkMean[a]!);
        this.q.at = resolveAt >= 0 ? Math.max(run, resolveAt + 1) : run;
        this.q.push(EV_ACCESS, a, 0, 0);
      }
      a = next;
    }
    if (s >= 0) this.pending.waiterHead[s] = -1;
  }

  /** The background stream places a page whose fault is still queued for the fault thread. */
  private placeRace(page: number): void {
    const t = this.q.t;
    this.take(page, PLACED);
    const s = this.pending.find(page);
    for (let a = s >= 0 ? this.pending.waiterHead[s]! : -1; a >= 0; ) {
      const next = this.nextWaiter[a]!;
      this.waitPage[a] = NO_PAGE;
      this.recorded[a] = 0;
      this.nextWaiter[a] = -1;
      this.q.at = t + this.rng.between(WAKE_AFTER_PLACE[0], WAKE_AFTER_PLACE[1]) + this.rng.exponential(this.thinkMean[a]!);
      this.q.push(EV_ACCESS, a, 0, 0);
      a = next;
    }
    if (s >= 0) this.pending.waiterHead[s] = -1;
  }

  private resolveRecord(page: number): void {
    const t = this.q.t;
    this.emit(Kind.resolve, this.resolveTid, page, 0, -1);
    const s = this.pending.find(page);
    if (s < 0) return;
    const chained = this.pending.chained[s]!;
    this.pending.remove(page);
    if (chained !== NO_PAGE) {
      this.q.at = t + this.rng.between(LATE_RESOLVE_AFTER_NEXT[0], LATE_RESOLVE_AFTER_NEXT[1]);
      this.q.push(EV_RESOLVE, -1, chained, 0);
    }
  }

  /**
   * Accounts a held resolve now that its vCPU will not fault on a new page first, within `within` ns:
   * before any later fault of that thread can be recorded (so the usual order holds).
   */
  private releaseHold(a: number, within: number): void {
    const t = this.q.t;
    const held = this.heldPage[a]!;
    if (held === NO_PAGE) return;
    this.heldPage[a] = NO_PAGE;
    this.q.at = t + this.rng.between(100, within);
    this.q.push(EV_RESOLVE, -1, held, 0);
  }

  /** The background stream places a page nobody asked for; its resolve row is written at once (nothing waits on it). */
  private background(): void {
    const t = this.q.t;
    if (this.stopped || t > this.endTime || this.untaken === 0) return;
    const page = this.nextUntaken();
    this.take(page, PLACED);
    this.stats.backgroundPlacements++;
    this.emit(Kind.resolve, this.resolveTid, page, 0, -1);
    this.q.at = t + this.bgInterval;
    this.q.push(EV_BACKGROUND, -1, 0, 0);
  }

  /** The next page from the background cursor that is neither placed nor claimed (one exists: untaken > 0). */
  private nextUntaken(): number {
    let p = this.bgCursor;
    for (;;) {
      const word = this.pageBits[p >>> 4]!;
      if ((p & 15) === 0 && p + 16 <= this.pages && ((word | (word >>> 1)) & 0x55555555) === 0x55555555) {
        p += 16; // all sixteen pages taken
      } else {
        if (((word >>> ((p & 15) << 1)) & 3) === 0) break;
        p++;
      }
      if (p >= this.pages) p = 0;
    }
    this.bgCursor = p + 1 >= this.pages ? 0 : p + 1;
    return p;
  }

}
