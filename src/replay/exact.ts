/**
 * Variant 3, `exact`: the tightest truth the trace supports. Each fault the
 * `mutex` variant counts opens an interval for its thread; the interval
 * closes at its page's next resolve or at the thread's next fault row,
 * whichever comes first (a thread that faults again was running again).
 * A thread waits on one fault at a time, so a vCPU's intervals never overlap
 * and the union of them is their sum (when times do not go backwards; a
 * negative length counts as 0).
 */
import { addrWords, type TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import type { ReplayContext } from './context.js';
import { latencyBucket } from './latency-buckets.js';
import { LatencyHistogram } from './latency-histogram.js';
import { ABSENT, PageMap, U32Map, pageHi, pageLo, WARM_ROWS } from './page-table.js';
import { type AnalysisResult, LATENCY_BUCKETS } from './result.js';
import { counterDifference } from './window.js';
import { type DesignFigures, VariantScaffold } from './scaffold.js';
import { FlaggedSlotPool, widen } from './slot-pool.js';

/**
 * Open intervals, pooled in typed arrays. Each page's open intervals form a
 * doubly linked list, so a thread's interval leaves it in O(1) when the
 * thread faults again.
 */
class IntervalPool extends FlaggedSlotPool {
  prev = new Int32Array(1024);
  tOpen = new Float64Array(1024);
  /** vCPU index, or -1 for another thread. */
  owner = new Int32Array(1024);
  tid = new Uint32Array(1024);
  pLo = new Uint32Array(1024);
  pHi = new Uint32Array(1024);

  protected growOwnColumns(capacity: number): void {
    this.prev = widen(this.prev, new Int32Array(capacity));
    this.tOpen = widen(this.tOpen, new Float64Array(capacity));
    this.owner = widen(this.owner, new Int32Array(capacity));
    this.tid = widen(this.tid, new Uint32Array(capacity));
    this.pLo = widen(this.pLo, new Uint32Array(capacity));
    this.pHi = widen(this.pHi, new Uint32Array(capacity));
  }
}

/**
 * Sees what `exact` closes, as offsets from the first row, in row order: each
 * vCPU's waits and the windows in which every vCPU was down. The report
 * draws its timeline and latency CDFs from them (src/report/html/chart-observer.ts)
 * instead of building the SQL tables that define them.
 */
export interface ExactObserver {
  /** N is fixed: `n` vCPUs. */
  size(n: number): void;
  /** vCPU `cpu` waited from `start` until `end` (earlier than `start` when times go backwards). */
  wait(cpu: number, start: number, end: number): void;
  /** Every vCPU was down from `start` until `end` (later than `start`). */
  allDown(start: number, end: number): void;
}

export class ExactVariant extends VariantScaffold {
  /** Page -> head of its open intervals; -1 when faulted since its last resolve but none is open any more. */
  private readonly pages = new PageMap(1024);
  private readonly pool = new IntervalPool();
  /** Open interval of each non-vCPU thread that has one. */
  private readonly openOfTid = new U32Map();

  private openOfCpu = new Int32Array(0);
  private faults = new Float64Array(0);
  private blockedNs = new Float64Array(0);
  private hist: LatencyHistogram[] = [];
  private nonVcpuHist = new LatencyHistogram();
  /** What each windowed mark counted of the intervals open at its instant (window.ts). */
  private readonly clips = new Map<AnalysisResult, OpenAtMark>();
  private down = 0;
  private allDownSince = 0;
  private totalNs = 0;
  private nonVcpuFaults = 0;
  private nonVcpuNs = 0;
  private readonly buckets = new Float64Array(LATENCY_BUCKETS);
  private lastT = 0;

  private alreadyReceived = 0;
  private negative = 0;

  constructor(
    ctx: ReplayContext,
    private readonly observer?: ExactObserver,
  ) {
    super(ctx, 'exact');
  }

  protected override size(n: number): void {
    this.openOfCpu = new Int32Array(n).fill(-1);
    this.faults = new Float64Array(n);
    this.blockedNs = new Float64Array(n);
    this.hist = Array.from({ length: n }, () => new LatencyHistogram());
    this.observer?.size(n);
  }

  /** The per-event loop: inline, apart from the other designs' (see scaffold.ts). */
  override consume(b: TraceBatch, rel: Float64Array): void {
    const len = b.length;
    if (len > 0) this.lastT = rel[len - 1]!;
    let i = this.start(b);
    if (i === len) return;
    const kind = b.kind;
    const tids = b.tid;
    const words = addrWords(b.addr);
    const shift = this.shift;
    const vcpus = this.vcpus;
    const received = this.received;
    const pages = this.pages;
    const pool = this.pool;
    const openOfCpu = this.openOfCpu;
    const openOfTid = this.openOfTid;
    const n = this.n;

    // Blocks of rows: their received-set words are loaded first, see PageSet.warm.
    for (let block = i; block < len; block += WARM_ROWS) {
      const end = Math.min(len, block + WARM_ROWS);
      received.warm(kind, words, shift, block, end);
      for (i = block; i < end; i++) {
        switch (kind[i]) {
          case Kind.fault: {
            this.faultRows++;
            const tid = tids[i]!;
            if (tid === 0) {
              this.noTid++;
              break;
            }
            const t = rel[i]!;
            const cpu = vcpus.cpuOf(tid);
            // The thread runs again: whatever it waited on is over.
            const prev = cpu >= 0 ? openOfCpu[cpu]! : openOfTid.take(tid);
            if (prev >= 0) {
              this.close(prev, t);
              this.unlink(prev);
              if (cpu >= 0) {
                openOfCpu[cpu] = -1;
                if (this.down-- === n) this.endAllDown(t);
              }
            }
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            if (received.has(pLo, pHi)) {
              this.alreadyReceived++;
              break;
            }
            const e = pool.alloc();
            pool.tOpen[e] = t;
            pool.pLo[e] = pLo;
            pool.pHi[e] = pHi;
            pool.prev[e] = -1;
            const head = pages.put(pLo, pHi, e);
            if (head >= 0) {
              pool.next[e] = head;
              pool.prev[head] = e;
            } else pool.next[e] = -1;
            if (cpu >= 0) {
              pool.owner[e] = cpu;
              openOfCpu[cpu] = e;
              this.faults[cpu]++;
              if (++this.down === n) this.allDownSince = t;
            } else {
              pool.owner[e] = -1;
              pool.tid[e] = tid;
              openOfTid.set(tid, e);
              this.nonVcpuFaults++;
            }
            break;
          }
          case Kind.resolve: {
            this.resolveRows++;
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            received.add(pLo, pHi);
            let e = pages.take(pLo, pHi);
            if (e === ABSENT) {
              this.resolveWithoutFault++;
              break;
            }
            const t = rel[i]!;
            let affected = 0;
            while (e >= 0) {
              const next = pool.next[e]!;
              this.close(e, t);
              const cpu = pool.owner[e]!;
              if (cpu >= 0) {
                openOfCpu[cpu] = -1;
                affected++;
              } else {
                openOfTid.take(pool.tid[e]!);
              }
              pool.release(e);
              e = next;
            }
            if (affected > 0) {
              if (this.down === n) this.endAllDown(t);
              this.down -= affected;
            }
            break;
          }
          case Kind.erase:
            // The `atomic` design's erase after a race (schema.ts): nothing for this design.
            this.eraseRows++;
            break;
          default:
            this.reject(b, i);
        }
      }
    }
  }

  /** Accounts interval `e`, closed at `t`. */
  private close(e: number, t: number): void {
    let d = t - this.pool.tOpen[e]!;
    if (d < 0) {
      this.negative++;
      d = 0;
    }
    this.buckets[latencyBucket(d)]++;
    const cpu = this.pool.owner[e]!;
    if (cpu >= 0) {
      this.blockedNs[cpu] += d;
      this.hist[cpu]!.record(d);
      this.observer?.wait(cpu, this.pool.tOpen[e]!, t);
    } else {
      this.nonVcpuNs += d;
      this.nonVcpuHist.record(d);
    }
  }

  /** Takes open interval `e` out of its page's list (the page stays "faulted" until resolved) and frees it. */
  private unlink(e: number): void {
    const pool = this.pool;
    const p = pool.prev[e]!;
    const nx = pool.next[e]!;
    if (p >= 0) pool.next[p] = nx;
    else this.pages.set(pool.pLo[e]!, pool.pHi[e]!, nx);
    if (nx >= 0) pool.prev[nx] = p;
    pool.release(e);
  }

  private endAllDown(t: number): void {
    const w = t - this.allDownSince;
    if (w > 0) {
      this.totalNs += w;
      this.observer?.allDown(this.allDownSince, t);
    }
  }

  protected override figures(): DesignFigures {
    const pool = this.pool;
    let oldest = Infinity;
    for (let e = 0; e < pool.top; e++) if (pool.alive[e] === 1 && pool.tOpen[e]! < oldest) oldest = pool.tOpen[e]!;
    const overall = new LatencyHistogram();
    for (const h of this.hist) overall.merge(h);
    overall.merge(this.nonVcpuHist);
    return {
      faults: { already_received: this.alreadyReceived, non_vcpu: this.nonVcpuFaults, unresolved: pool.live },
      total_blocktime_ns: this.totalNs,
      vcpu_blocktime_ns: Array.from(this.blockedNs),
      vcpu_faults: Array.from(this.faults),
      non_vcpu_blocktime_ns: this.nonVcpuNs,
      latency_buckets: Array.from(this.buckets),
      anomalies: {
        negative_duration: this.negative,
        // Intervals have no outstanding count: a thread has one open at a time.
        over_255_outstanding: 0,
      },
      latency: {
        overall: overall.stats(),
        non_vcpu: this.nonVcpuHist.stats(),
        vcpu: this.hist.map((h) => h.stats()),
      },
      open_at_end: { count: pool.live, max_age_ns: pool.live === 0 ? 0 : Math.max(0, this.lastT - oldest) },
    };
  }

  /**
   * At a window's instant, the intervals still open count up to it: each
   * vCPU's blocktime and the all-down time by what they would add if they
   * closed there. Kept apart from the result, as only those that do close
   * later in the trace count (an interval open at the end counts in no
   * figure, windowed or not); `windowed` decides.
   */
  protected override sampleAt(at: number): AnalysisResult {
    const r = this.stateNow();
    const pool = this.pool;
    const n = this.n;
    const open: OpenAtMark = {
      cpuClip: new Float64Array(n),
      cpuFaults: this.faults.slice(),
      tid: [],
      tOpen: [],
      tidClip: [],
      allDownClip: n > 0 && this.down === n ? Math.max(0, at - this.allDownSince) : -1,
      allDownSince: this.allDownSince,
    };
    let oldest = Infinity;
    for (let e = 0; e < pool.top; e++) {
      if (pool.alive[e] !== 1) continue;
      const t = pool.tOpen[e]!;
      if (t < oldest) oldest = t;
      const cpu = pool.owner[e]!;
      if (cpu >= 0) open.cpuClip[cpu] = Math.max(0, at - t);
      else {
        open.tid.push(pool.tid[e]!);
        open.tOpen.push(t);
        open.tidClip.push(Math.max(0, at - t));
      }
    }
    r.open_at_end = { count: pool.live, max_age_ns: pool.live === 0 ? 0 : Math.max(0, at - oldest) };
    this.clips.set(r, open);
    return r;
  }

  /** At `since`, the latencies start again from none: those of the window are the faults resolved inside it. */
  override mark(at: number): void {
    super.mark(at);
    if (this.marks.length === 1 && this.n >= 0) {
      this.hist = this.hist.map(() => new LatencyHistogram());
      this.nonVcpuHist = new LatencyHistogram();
    }
  }

  protected override windowed(since: AnalysisResult | null, until: AnalysisResult): AnalysisResult {
    const r = counterDifference(since === null ? null : this.withClips(since), this.withClips(until));
    // Both the end: the window is empty (no row reached `since`, or `until` came before any fault).
    const latency = since === until ? this.emptyLatency() : until.latency!;
    return { ...r, latency, open_at_end: until.open_at_end! };
  }

  /** `r` with the clips of its mark that belong to intervals which closed later (`r` itself when it is the end's). */
  private withClips(r: AnalysisResult): AnalysisResult {
    const open = this.clips.get(r);
    if (!open) return r;
    const pool = this.pool;
    const vcpu = r.vcpu_blocktime_ns.map((ns, c) => {
      // Still open at the end, and no fault of its vCPU since the mark: the very interval the mark clipped.
      const neverClosed = this.openOfCpu[c]! >= 0 && this.faults[c] === open.cpuFaults[c];
      return neverClosed ? ns : ns + open.cpuClip[c]!;
    });
    let nonVcpu = r.non_vcpu_blocktime_ns;
    open.tid.forEach((tid, k) => {
      const e = this.openOfTid.get(tid);
      if (!(e >= 0 && pool.tOpen[e] === open.tOpen[k])) nonVcpu += open.tidClip[k]!;
    });
    const allDownNeverEnded = this.down === this.n && this.allDownSince === open.allDownSince;
    const total = r.total_blocktime_ns + (open.allDownClip >= 0 && !allDownNeverEnded ? open.allDownClip : 0);
    return { ...r, vcpu_blocktime_ns: vcpu, non_vcpu_blocktime_ns: nonVcpu, total_blocktime_ns: total };
  }

  private emptyLatency(): NonNullable<AnalysisResult['latency']> {
    const none = new LatencyHistogram().stats();
    return { overall: none, non_vcpu: none, vcpu: this.hist.map(() => none) };
  }
}

/** The intervals open at a window's instant, and what each counted up to it. */
interface OpenAtMark {
  /** Per vCPU: its open interval's length up to the instant (0: none open). */
  cpuClip: Float64Array;
  /** Per vCPU: intervals it had opened by then; an interval still open at the end is the mark's when none opened since. */
  cpuFaults: Float64Array;
  /** Threads that are not vCPUs: each open interval's thread, start and length up to the instant. */
  tid: number[];
  tOpen: number[];
  tidClip: number[];
  /** The all-down time up to the instant since all vCPUs went down, -1 when they were not all down. */
  allDownClip: number;
  allDownSince: number;
}
