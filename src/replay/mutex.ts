/**
 * Variant 1, `mutex`: QEMU 10.1's blocktime accounting, done under the
 * page-request mutex, replayed exactly as docs/blocktime.md (Variant 1) specifies it. A pending
 * list per page (newest first) holds `(cpu, t_fault)` entries; a vCPU's
 * blocktime grows when its last outstanding fault is resolved, by that
 * fault's duration.
 */
import { addrWords, type TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import type { ReplayContext } from './context.js';
import { latencyBucket } from './latency-buckets.js';
import { ABSENT, PageMap, pageHi, pageLo, WARM_ROWS } from './page-table.js';
import { type AnalysisResult, LATENCY_BUCKETS, type QemuFigures } from './result.js';
import { counterDifference } from './window.js';
import { type DesignFigures, VariantScaffold } from './scaffold.js';
import { SlotPool, widen } from './slot-pool.js';
import { floorDiv, msUint32 } from './qemu-math.js';

/** QEMU keeps a vCPU's outstanding-fault count in a uint8 and asserts it stays below 256. */
const MAX_OUTSTANDING = 255;

/** Pending faults: the vCPU (-1 for another thread) and time of each, chained per page through `next`, newest first. */
class EntryPool extends SlotPool {
  cpu = new Int32Array(1024);
  t = new Float64Array(1024);

  alloc(cpu: number, t: number): number {
    const e = this.allocSlot();
    this.cpu[e] = cpu;
    this.t[e] = t;
    return e;
  }

  protected growColumns(capacity: number): void {
    this.cpu = widen(this.cpu, new Int32Array(capacity));
    this.t = widen(this.t, new Float64Array(capacity));
  }
}

export class MutexVariant extends VariantScaffold {
  private readonly pending = new PageMap(1024);
  private readonly pool = new EntryPool();

  private current = new Int32Array(0);
  private faults = new Float64Array(0);
  private blockedNs = new Float64Array(0);
  private down = 0;
  private lastBegin = 0;
  private totalNs = 0;
  private nonVcpuFaults = 0;
  private nonVcpuNs = 0;
  private readonly buckets = new Float64Array(LATENCY_BUCKETS);

  private alreadyReceived = 0;
  private negative = 0;
  private over255 = 0;

  constructor(ctx: ReplayContext) {
    super(ctx, 'mutex');
  }

  protected override size(n: number): void {
    this.current = new Int32Array(n);
    this.faults = new Float64Array(n);
    this.blockedNs = new Float64Array(n);
  }

  /** The per-event loop: inline, apart from the other designs' (see scaffold.ts). */
  override consume(b: TraceBatch, rel: Float64Array): void {
    const len = b.length;
    let i = this.start(b);
    if (i === len) return;
    const kind = b.kind;
    const tids = b.tid;
    const words = addrWords(b.addr);
    const shift = this.shift;
    const vcpus = this.vcpus;
    const received = this.received;
    const pending = this.pending;
    const pool = this.pool;
    const current = this.current;
    const faults = this.faults;
    const blockedNs = this.blockedNs;
    const buckets = this.buckets;
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
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            if (received.has(pLo, pHi)) {
              this.alreadyReceived++;
              break;
            }
            const t = rel[i]!;
            const cpu = vcpus.cpuOf(tid);
            if (cpu >= 0) {
              faults[cpu]++;
              if (current[cpu] === 0) {
                this.down++;
                this.lastBegin = t;
              }
              if (++current[cpu] > MAX_OUTSTANDING) this.over255++;
            } else {
              this.nonVcpuFaults++;
            }
            const e = pool.alloc(cpu >= 0 ? cpu : -1, t);
            const head = pending.put(pLo, pHi, e);
            pool.next[e] = head === ABSENT ? -1 : head;
            break;
          }
          case Kind.resolve: {
            this.resolveRows++;
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            received.add(pLo, pHi);
            const head = pending.take(pLo, pHi);
            if (head === ABSENT) {
              this.resolveWithoutFault++;
              break;
            }
            const t = rel[i]!;
            let affected = 0;
            let e = head;
            let last = head;
            let count = 0;
            while (e >= 0) {
              let d = t - pool.t[e]!;
              if (d < 0) {
                this.negative++;
                d = 0;
              }
              buckets[latencyBucket(d)]++;
              const cpu = pool.cpu[e]!;
              if (cpu >= 0) {
                if (--current[cpu] === 0) {
                  blockedNs[cpu] += d;
                  affected++;
                }
              } else {
                this.nonVcpuNs += d;
              }
              count++;
              last = e;
              e = pool.next[e]!;
            }
            pool.releaseList(head, last, count);
            if (affected > 0 && this.down === n) {
              const w = t - this.lastBegin;
              if (w > 0) this.totalNs += w;
            }
            this.down -= affected;
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

  protected override figures(): DesignFigures {
    const figures = {
      faults: { already_received: this.alreadyReceived, non_vcpu: this.nonVcpuFaults, unresolved: this.pool.live },
      total_blocktime_ns: this.totalNs,
      vcpu_blocktime_ns: Array.from(this.blockedNs),
      vcpu_faults: Array.from(this.faults),
      non_vcpu_blocktime_ns: this.nonVcpuNs,
      latency_buckets: Array.from(this.buckets),
      anomalies: { negative_duration: this.negative, over_255_outstanding: this.over255 },
    };
    return { ...figures, qemu: qemuFigures({ ...figures, non_vcpu_faults: this.nonVcpuFaults }) };
  }

  /** A window's QEMU figures are QEMU's formulas over the window's counters. */
  protected override windowed(since: AnalysisResult | null, until: AnalysisResult): AnalysisResult {
    const r = counterDifference(since, until);
    return { ...r, qemu: qemuFigures(r) };
  }
}

/** What QEMU 10.1 reports (`query-migrate`), from the design's counters (docs/blocktime.md, "What QEMU reports"). */
function qemuFigures(r: Pick<AnalysisResult, 'total_blocktime_ns' | 'vcpu_blocktime_ns' | 'vcpu_faults' | 'non_vcpu_blocktime_ns' | 'non_vcpu_faults' | 'latency_buckets'>): QemuFigures {
  let sumBlocked = 0n;
  let sumFaults = 0;
  r.vcpu_blocktime_ns.forEach((ns, c) => {
    sumBlocked += BigInt(ns);
    sumFaults += r.vcpu_faults[c]!;
  });
  const allFaults = sumFaults + r.non_vcpu_faults;
  return {
    'postcopy-blocktime': msUint32(r.total_blocktime_ns),
    'postcopy-vcpu-blocktime': r.vcpu_blocktime_ns.map(msUint32),
    'postcopy-latency': allFaults === 0 ? 0 : Number((sumBlocked + BigInt(r.non_vcpu_blocktime_ns)) / BigInt(allFaults)),
    'postcopy-vcpu-latency': r.vcpu_blocktime_ns.map((ns, c) => floorDiv(ns, r.vcpu_faults[c]!)),
    'postcopy-non-vcpu-latency': floorDiv(r.non_vcpu_blocktime_ns, r.non_vcpu_faults),
    'postcopy-latency-dist': r.latency_buckets.slice(),
  };
}
