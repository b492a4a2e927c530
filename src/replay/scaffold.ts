/**
 * What the designs' replays share outside their per-event loops, in one
 * place: the thread table and N fixed at the first row past the `vcpu` rows,
 * the received set, the row counts every design keeps, and the parts of the
 * result they all fill the same way.
 *
 * The per-event loops themselves are not shared, on purpose. Each variant's
 * `consume` keeps its loop inline: its typed arrays hoisted into locals, one
 * switch on the kind code, and no call per event through a method another
 * design overrides. A common loop calling per-design hooks would make those
 * call sites polymorphic as soon as two designs replay in one pass
 * (`compare`, `query` and the API replay all three at once, and `compare`
 * adds the observer), and would move each design's state out of the loop's
 * locals into fields read back on every event. The loops differ where it
 * matters anyway: `mutex` walks a page's pending list, `atomic` scans every
 * vCPU's slot, `exact` closes a thread's interval at its next fault. The
 * tests that keep each loop true to its design are listed in
 * docs/implementations.md.
 */
import type { TraceBatch } from '../trace/batch.js';
import { Kind } from '../trace/schema.js';
import { type ReplayContext, type Variant, VcpuTable } from './context.js';
import { checkExactFigures } from './exact-figures.js';
import { PageSet } from './page-table.js';
import type { AnalysisResult, VariantName } from './result.js';
import { counterDifference } from './window.js';

/**
 * A consumer of a replay pass that keeps per-vCPU state: the variants, the
 * compare observer beside them, and the rows of the SQL tables `faults` and
 * `blocked_intervals` (fault-rows.ts). It sizes that state once N is known.
 */
export abstract class ReplayScaffold {
  protected readonly vcpus: VcpuTable;
  /** log2(page size): an address's page is its bits above this. */
  protected readonly shift: number;
  /** Pages placed so far. */
  protected readonly received = new PageSet();
  /** N, or -1 until the first row past the `vcpu` rows. */
  protected n = -1;

  constructor(protected readonly ctx: ReplayContext) {
    this.vcpus = new VcpuTable(ctx);
    this.shift = ctx.pageShift;
  }

  /** Allocates the per-vCPU state for `n` vCPUs (called once). */
  protected abstract size(n: number): void;

  /**
   * The first row of `b` to replay: 0 once N is fixed; before that, past the
   * trace's leading `vcpu` rows, which it reads (and `b.length` when the
   * batch holds nothing else).
   */
  protected start(b: TraceBatch): number {
    if (this.n >= 0) return 0;
    const i = this.vcpus.lead(b, 0);
    if (i < b.length) this.fixN();
    return i;
  }

  /** Row `i` of `b`, past the `vcpu` rows, is of no kind the loop knows: its `default`. */
  protected reject(b: TraceBatch, i: number): never {
    const row = b.firstRow + i;
    const kind = b.kind[i]!;
    if (kind === Kind.vcpu) this.vcpus.late(row);
    this.vcpus.badKind(row, kind);
  }

  /** N, fixed now if no row past the `vcpu` rows came (an event-less trace). */
  protected fixN(): number {
    if (this.n < 0) {
      this.n = this.vcpus.fix();
      this.size(this.n);
    }
    return this.n;
  }
}

/**
 * A design's own part of its result. The rest (variant, N, page size, row
 * counts, faults without a thread, resolves nobody asked for, times out of
 * range) every design counts the same way, and `faults.counted` is the sum of
 * `vcpu_faults` in each, so the scaffold fills them.
 */
export type DesignFigures = Omit<AnalysisResult, 'variant' | 'vcpus' | 'page_size' | 'events' | 'faults' | 'non_vcpu_faults' | 'anomalies'> & {
  /** `non_vcpu` is also the result's `non_vcpu_faults`. */
  faults: Pick<AnalysisResult['faults'], 'already_received' | 'non_vcpu' | 'unresolved'>;
  anomalies: Pick<AnalysisResult['anomalies'], 'negative_duration' | 'over_255_outstanding'>;
};

/** A variant: the scaffold, the counts its loop bumps, and the result built around its figures. */
export abstract class VariantScaffold extends ReplayScaffold implements Variant<AnalysisResult> {
  protected faultRows = 0;
  protected resolveRows = 0;
  /** `erase` rows (QEMU <= 10.0 log imports only). */
  protected eraseRows = 0;
  /** Fault rows with thread id 0: no thread to account them to. */
  protected noTid = 0;
  protected resolveWithoutFault = 0;

  constructor(
    ctx: ReplayContext,
    private readonly variant: VariantName,
  ) {
    super(ctx);
  }

  abstract consume(b: TraceBatch, rel: Float64Array): void;

  /** The design's figures at the end of the pass, N fixed. */
  protected abstract figures(n: number): DesignFigures;

  /**
   * A windowed pass's marks (window.ts), in order: since, then until. Null:
   * marked before N was fixed, when every counter was still 0.
   */
  protected readonly marks: Array<AnalysisResult | null> = [];

  /** Records the state at instant `at`, before the next row (window.ts). */
  mark(at: number): void {
    this.marks.push(this.n < 0 ? null : this.sampleAt(at));
  }

  /** The result as a read at instant `at` would give it: the state as it is, but for what a design counts up to the instant. */
  protected sampleAt(_at: number): AnalysisResult {
    return this.stateNow();
  }

  /**
   * The window's figures from the marks at its instants; an instant no row
   * reached is the end of the trace (both the end: an empty window). By
   * default the difference of the counters; designs add their own figures.
   */
  protected windowed(since: AnalysisResult | null, until: AnalysisResult): AnalysisResult {
    return counterDifference(since, until);
  }

  result(): AnalysisResult {
    const end = this.stateNow();
    const at = (k: number): AnalysisResult | null => (this.marks.length > k ? this.marks[k]! : end);
    const until = at(1);
    // Until marked before N was fixed: the window closed before any counter moved. Its figures are then the end's minus the end's.
    const result = this.ctx.window ? (until === null ? this.windowed(end, end) : this.windowed(at(0), until)) : end;
    checkExactFigures(result, this.ctx.file, this.variant);
    return result;
  }

  /** The result of the state as it is now. */
  protected stateNow(): AnalysisResult {
    const n = this.fixN();
    const { faults, anomalies, total_blocktime_ns, vcpu_blocktime_ns, vcpu_faults, non_vcpu_blocktime_ns, latency_buckets, ...extra } = this.figures(n);
    return {
      variant: this.variant,
      vcpus: n,
      page_size: this.ctx.pageSize,
      // `erase` only where there are any: traces without them keep their result's shape.
      events: { vcpu: this.vcpus.declared, fault: this.faultRows, resolve: this.resolveRows, ...(this.eraseRows > 0 ? { erase: this.eraseRows } : {}) },
      faults: { counted: vcpu_faults.reduce((a, b) => a + b, 0), no_tid: this.noTid, ...faults },
      total_blocktime_ns,
      vcpu_blocktime_ns,
      vcpu_faults,
      non_vcpu_faults: faults.non_vcpu,
      non_vcpu_blocktime_ns,
      latency_buckets,
      anomalies: { ...anomalies, resolve_without_fault: this.resolveWithoutFault, time_out_of_range: 0 },
      ...extra,
    };
  }
}
