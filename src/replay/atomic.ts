/**
 * Variant 2, `atomic`: the lock-free design of QEMU 2.12 to 10.0, replayed as
 * docs/blocktime.md (Variant 2) specifies it, faults and all: one slot per vCPU (a second
 * fault overwrites the first), a millisecond uint32 clock clamped to 1,
 * inject-then-erase for faults on received pages, non-vCPU threads ignored,
 * and `erase` rows (QEMU's received check erasing a slot after the page's
 * resolve had already released it) lowering the count of blocked vCPUs a
 * second time: from then on `down` is lower than the number of blocked
 * vCPUs, so the total can no longer grow. Beside the design's own total,
 * a shadow total counts as if no erase had lowered `down` twice: the
 * difference is the total blocktime the drift kept QEMU from reporting.
 */
import { addrWords, type TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import type { ReplayContext } from './context.js';
import { MsClock } from './ms-clock.js';
import { pageHi, pageLo, WARM_ROWS } from './page-table.js';
import { type AnalysisResult, LATENCY_BUCKETS } from './result.js';
import { counterDifference } from './window.js';
import { type DesignFigures, VariantScaffold } from './scaffold.js';

const NS_PER_MS = 1e6;

export class AtomicVariant extends VariantScaffold {
  private readonly clock: MsClock;

  /** The page each vCPU's slot holds (0 and 0: no fault recorded). */
  private addrLo = new Uint32Array(0);
  private addrHi = new Uint32Array(0);
  private startMs = new Uint32Array(0);
  private blockedMs = new Uint32Array(0);
  /** Faults each vCPU's slot took and kept (erased ones excluded). */
  private faults = new Float64Array(0);
  private down = 0;
  private lastBegin = 0;
  private totalMs = 0;

  private overwritten = 0;
  private erased = 0;
  private lostBlocked = 0;
  private ignoredNonVcpu = 0;
  /** Erases that found their slot already empty: each left `down` one lower than the blocked vCPUs. */
  private drift = 0;
  private eraseRowsApplied = 0;
  private driftRow = -1;
  private driftT = 0n;
  private driftMs = 0;
  /** The total as if `down` had not drifted (uint32 like the design's). */
  private shadowTotalMs = 0;

  constructor(ctx: ReplayContext) {
    super(ctx, 'atomic');
    this.clock = new MsClock(ctx.baseNs, ctx.startNs ?? ctx.baseNs);
  }

  protected override size(n: number): void {
    this.addrLo = new Uint32Array(n);
    this.addrHi = new Uint32Array(n);
    this.startMs = new Uint32Array(n);
    this.blockedMs = new Uint32Array(n);
    this.faults = new Float64Array(n);
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
    const clock = this.clock;
    const received = this.received;
    const addrLo = this.addrLo;
    const addrHi = this.addrHi;
    const startMs = this.startMs;
    const blockedMs = this.blockedMs;
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
            const cpu = vcpus.cpuOf(tid);
            if (cpu < 0) {
              this.ignoredNonVcpu++;
              break;
            }
            const lo = words[2 * i]!;
            const hi = words[2 * i + 1]!;
            const pLo = pageLo(lo, hi, shift);
            const pHi = pageHi(hi, shift);
            const o = clock.at(rel[i]!);
            const wasEmpty = addrLo[cpu] === 0 && addrHi[cpu] === 0;
            if (wasEmpty) this.down++;
            else this.overwritten++;
            this.lastBegin = o;
            startMs[cpu] = o;
            addrLo[cpu] = pLo;
            addrHi[cpu] = pHi;
            if (received.has(pLo, pHi)) {
              addrLo[cpu] = 0;
              addrHi[cpu] = 0;
              startMs[cpu] = 0;
              this.down--;
              this.erased++;
              if (!wasEmpty) this.lostBlocked++;
            } else {
              this.faults[cpu]++;
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
            const o = clock.at(rel[i]!);
            let affected = 0;
            let allDown = false;
            let shadowAllDown = false;
            // Bug-compatible on purpose: the original scanned every vCPU on each
            // resolve, O(N) per placed page; that cost is part of what `compare`
            // and the benchmark show about this design, so it is kept.
            for (let c = 0; c < n; c++) {
              if (addrLo[c] !== pLo || addrHi[c] !== pHi || startMs[c] === 0) continue;
              addrLo[c] = 0;
              addrHi[c] = 0;
              blockedMs[c] = blockedMs[c]! + o - startMs[c]!;
              affected++;
              if (this.down === n) allDown = true;
              if (this.down + this.drift === n) shadowAllDown = true;
            }
            if (affected === 0) this.resolveWithoutFault++;
            this.down -= affected;
            if (allDown) this.totalMs = (this.totalMs + o - this.lastBegin) >>> 0;
            if (shadowAllDown) this.shadowTotalMs = (this.shadowTotalMs + o - this.lastBegin) >>> 0;
            break;
          }
          case Kind.erase: {
            // QEMU's erase after its received check: clear the slot, lower the count, whatever the slot held.
            const tid = tids[i]!;
            const cpu = tid === 0 ? -1 : vcpus.cpuOf(tid);
            if (cpu < 0) break;
            this.eraseRowsApplied++;
            this.eraseRows++;
            if (addrLo[cpu] === 0 && addrHi[cpu] === 0) {
              // The page's resolve already released this slot and lowered `down` for it.
              if (this.drift === 0) {
                this.driftRow = b.firstRow + i;
                this.driftT = b.t[i]!;
                this.driftMs = clock.at(rel[i]!);
              }
              this.drift++;
            }
            addrLo[cpu] = 0;
            addrHi[cpu] = 0;
            startMs[cpu] = 0;
            this.down--;
            break;
          }
          default:
            this.reject(b, i);
        }
      }
    }
  }

  protected override figures(n: number): DesignFigures {
    let unresolved = 0;
    for (let c = 0; c < n; c++) if (this.addrLo[c] !== 0 || this.addrHi[c] !== 0) unresolved++;
    const blockedMs = Array.from(this.blockedMs);
    return {
      faults: { already_received: this.erased, non_vcpu: this.ignoredNonVcpu, unresolved },
      total_blocktime_ns: this.totalMs * NS_PER_MS,
      vcpu_blocktime_ns: blockedMs.map((ms) => ms * NS_PER_MS),
      vcpu_faults: Array.from(this.faults),
      non_vcpu_blocktime_ns: 0,
      // The design kept no latency histogram.
      latency_buckets: new Array<number>(LATENCY_BUCKETS).fill(0),
      anomalies: {
        // Durations here are uint32 differences: they wrap instead of going negative.
        negative_duration: 0,
        // One slot per vCPU: there is no outstanding count to overflow.
        over_255_outstanding: 0,
      },
      qemu: {
        'postcopy-blocktime': this.totalMs,
        'postcopy-vcpu-blocktime': blockedMs,
      },
      diagnostics: {
        overwritten: this.overwritten,
        erased: this.erased,
        lost_blocked_vcpu: this.lostBlocked,
        ignored_non_vcpu: this.ignoredNonVcpu,
        ...(this.eraseRowsApplied > 0
          ? {
              erase_rows: this.eraseRowsApplied,
              ...(this.drift > 0
                ? {
                    blocked_count_drift: {
                      row: this.driftRow,
                      t_ns: String(this.driftT),
                      at_ms: this.driftMs,
                      erases: this.drift,
                      unreported_total_ms: (this.shadowTotalMs - this.totalMs) >>> 0,
                    },
                  }
                : {}),
            }
          : {}),
      },
    };
  }

  /** The design's counters are uint32 milliseconds: a window is their difference modulo 2^32, as two reads of QEMU's would give. */
  protected override windowed(since: AnalysisResult | null, until: AnalysisResult): AnalysisResult {
    const r = counterDifference(since, until);
    const ms = (u: number, s: number | undefined): number => (u - (s ?? 0)) >>> 0;
    const total = ms(until.qemu!['postcopy-blocktime'], since?.qemu!['postcopy-blocktime']);
    const vcpu = until.qemu!['postcopy-vcpu-blocktime'].map((u, c) => ms(u, since?.qemu!['postcopy-vcpu-blocktime'][c]));
    return {
      ...r,
      total_blocktime_ns: total * NS_PER_MS,
      vcpu_blocktime_ns: vcpu.map((x) => x * NS_PER_MS),
      qemu: { 'postcopy-blocktime': total, 'postcopy-vcpu-blocktime': vcpu },
    };
  }
}
