/**
 * `--explain K`: replays the trace event by event beside QEMU's own
 * accounting lines (the side table, see src/import/qemu-log/accounting.ts)
 * and names the first K rows where the two disagree, with the reason. The
 * per-row state mirrors the matching design of docs/blocktime.md; this is a
 * diagnostic pass (maps, not the replay engine's tables), run only on request.
 */
import type { AccountingBatch } from '../import/qemu-log/accounting.js';
import { QemuLine, QEMU_LINE_NAMES } from '../import/qemu-log/accounting.js';
import type { Generation } from '../import/qemu-log/scan.js';
import { addrWords, hexAddr, relativeTimes, type TraceBatch } from '../trace/batch.js';
import { Kind, type TraceMeta } from '../trace/schema.js';

export interface Disagreement {
  /** 0-based trace row. */
  row: number;
  /** 1-based log line of QEMU's accounting line (0 when unknown). */
  line: number;
  event: string;
  page: string;
  /** The accounting field that differs. */
  field: string;
  qemu: number;
  replay: number;
  why: string;
}

/**
 * QEMU <= 10.0: the replay's running total blocktime against QEMU's (the
 * `time` of each end line), end line by end line. After a parting the count
 * continues from QEMU's total, so each parting is counted where it happens.
 */
export interface RunningTotalCheck {
  end_lines: number;
  equal: number;
  parted: number;
  /** Likely causes of the partings: `phase` (the two increments differ by 1 ms: a resolve or a fault on the other side of a millisecond boundary), `race` (one side's total grew where the other's count of blocked vCPUs could not reach N), `unknown`. */
  causes: { phase: number; race: number; unknown: number };
  /** The largest running total an end line printed: QEMU's reported total is at least this. */
  qemu_max_total_ms: number;
  /** The last row's millisecond on QEMU's clock: no total blocktime can exceed it. */
  last_ms: number;
}

export interface ExplainOutcome {
  found: Disagreement[];
  /** QEMU <= 10.0 only. */
  running_total?: RunningTotalCheck;
}

export interface RowPair {
  batch: TraceBatch;
  acct: AccountingBatch;
}

const U32 = 4294967296;

interface Tracer {
  row(b: TraceBatch, a: AccountingBatch, i: number, relT: number, lo: number, hi: number, found: Disagreement[]): void;
  readonly runningTotal?: RunningTotalCheck;
}

/**
 * The first `limit` disagreements; with `wholeTrace`, the pass goes on to
 * the end for the running-total check (disagreements past `limit` are not
 * kept).
 */
export async function explainDisagreements(
  pairs: AsyncIterable<RowPair>,
  meta: TraceMeta,
  design: Generation,
  vcpus: number,
  limit: number,
  wholeTrace = false,
): Promise<ExplainOutcome> {
  const found: Disagreement[] = [];
  const sink: Disagreement[] = [];
  const shift = Math.log2(meta.pageSize);
  let tracer: Tracer | undefined;
  let base: bigint | undefined;
  let rel = new Float64Array(0);
  for await (const { batch, acct } of pairs) {
    if (batch.length === 0) continue;
    if (base === undefined) {
      // The atomic clock counts milliseconds from floor(start / 1 ms).
      const start = meta.startNs ?? batch.t[0]!;
      base = (start / 1_000_000n) * 1_000_000n;
      tracer = design === 'atomic' ? new AtomicTracer(vcpus, shift) : new MutexTracer(vcpus, shift);
    }
    if (rel.length < batch.length) rel = new Float64Array(batch.length);
    relativeTimes(batch.t, base, rel);
    const words = addrWords(batch.addr);
    for (let i = 0; i < batch.length; i++) {
      const full = found.length >= limit;
      if (full && !wholeTrace) break;
      tracer!.row(batch, acct, i, rel[i]!, words[2 * i]!, words[2 * i + 1]!, full ? sink : found);
      sink.length = 0;
    }
    if (found.length >= limit && !wholeTrace) break;
  }
  const outcome: ExplainOutcome = { found };
  if (tracer?.runningTotal) outcome.running_total = tracer.runningTotal;
  return outcome;
}

function pageOf(lo: number, hi: number, shift: number): number {
  return hi * 2 ** (32 - shift) + (lo >>> shift);
}

function pageHex(page: number, shift: number): string {
  const addr = BigInt(page) << BigInt(shift);
  return hexAddr(Number(addr >> 32n), Number(addr & 0xffffffffn));
}

function note(found: Disagreement[], b: TraceBatch, a: AccountingBatch, i: number, page: string, field: string, qemu: number, replay: number, why: string): void {
  found.push({ row: b.firstRow + i, line: a.line[i]!, event: QEMU_LINE_NAMES[a.event[i]!] ?? 'none', page, field, qemu, replay, why });
}

/** QEMU 2.12-10.0: one slot per vCPU, millisecond clock, uint32 sums. */
class AtomicTracer implements Tracer {
  private readonly tidCpu = new Map<number, number>();
  private readonly placedAt = new Map<number, number>();
  private readonly slot: Float64Array;
  private readonly startMs: Float64Array;
  private down = 0;
  private lastBegin = 0;
  private totalMs = 0;
  /** Erases that found their slot released: the replay's count of blocked vCPUs drifted. */
  private drift = 0;
  readonly runningTotal: RunningTotalCheck = { end_lines: 0, equal: 0, parted: 0, causes: { phase: 0, race: 0, unknown: 0 }, qemu_max_total_ms: 0, last_ms: 0 };

  constructor(
    private readonly n: number,
    private readonly shift: number,
  ) {
    this.slot = new Float64Array(n).fill(-1);
    this.startMs = new Float64Array(n);
  }

  row(b: TraceBatch, a: AccountingBatch, i: number, relT: number, lo: number, hi: number, found: Disagreement[]): void {
    const kind = b.kind[i];
    if (kind === Kind.vcpu) {
      this.tidCpu.set(b.tid[i]!, b.cpu[i]!);
      return;
    }
    const page = pageOf(lo, hi, this.shift);
    let o = Math.floor(relT / 1e6);
    if (o < 1) o = 1;
    o %= U32;
    if (o > this.runningTotal.last_ms) this.runningTotal.last_ms = o;
    if (kind === Kind.erase) {
      const cpu = b.tid[i] === 0 ? undefined : this.tidCpu.get(b.tid[i]!);
      if (a.event[i] === QemuLine.markBegin && cpu !== a.cpu[i]) {
        note(found, b, a, i, pageHex(page, this.shift), 'cpu', a.cpu[i]!, cpu ?? -1, `QEMU accounted this fault to vCPU ${a.cpu[i]}, the trace's vcpu rows make thread ${b.tid[i]} ${cpu === undefined ? 'no vCPU' : `vCPU ${cpu}`}`);
      }
      if (cpu === undefined || cpu >= this.n) return;
      if (this.slot[cpu] === -1) this.drift++;
      this.slot[cpu] = -1;
      this.startMs[cpu] = 0;
      this.down--;
      return;
    }
    if (kind === Kind.fault) {
      const cpu = b.tid[i] === 0 ? undefined : this.tidCpu.get(b.tid[i]!);
      if (a.event[i] === QemuLine.markBegin) {
        const hex = pageHex(page, this.shift);
        const placed = this.placedAt.get(page);
        if (cpu !== a.cpu[i]) {
          note(found, b, a, i, hex, 'cpu', a.cpu[i]!, cpu ?? -1, `QEMU accounted this fault to vCPU ${a.cpu[i]}, the trace's vcpu rows make thread ${b.tid[i]} ${cpu === undefined ? 'no vCPU' : `vCPU ${cpu}`}`);
        } else if (a.flag[i] === 1 && placed === undefined) {
          note(found, b, a, i, hex, 'already_received', 1, 0, 'QEMU found the page already placed, but no resolve of it comes before this fault in the log (its end line was written later than the import window, or never)');
        } else if (a.flag[i] === 0 && placed !== undefined) {
          note(found, b, a, i, hex, 'already_received', 0, 1, `QEMU found the page missing, but the log placed it before (line ${placed}): the fault thread checked the received bitmap before the placement showed, and wrote its line after`);
        } else if (a.flag[i] === 0 && a.ms[i] !== o) {
          note(found, b, a, i, hex, 'time', a.ms[i]!, o, `QEMU took this fault at ms ${a.ms[i]} of its blocktime clock, the replay at ms ${o} (blocktime.start_ns differs from QEMU's start)`);
        }
      }
      if (cpu === undefined || cpu >= this.n) return;
      if (this.slot[cpu] === -1) this.down++;
      this.lastBegin = o;
      this.startMs[cpu] = o;
      this.slot[cpu] = page;
      if (this.placedAt.has(page)) {
        this.slot[cpu] = -1;
        this.startMs[cpu] = 0;
        this.down--;
      }
      return;
    }
    if (!this.placedAt.has(page)) this.placedAt.set(page, a.line[i]!);
    let affected = 0;
    let allDown = false;
    const released: number[] = [];
    for (let c = 0; c < this.n; c++) {
      if (this.slot[c] === page && this.startMs[c] !== 0) {
        this.slot[c] = -1;
        affected++;
        released.push(c);
        if (this.down === this.n) allDown = true;
      }
    }
    this.down -= affected;
    const before = this.totalMs;
    if (allDown) this.totalMs = (((this.totalMs + o - this.lastBegin) % U32) + U32) % U32;
    if (a.event[i] !== QemuLine.markEnd) return;
    const hex = pageHex(page, this.shift);
    const rt = this.runningTotal;
    rt.end_lines++;
    if (a.ms[i]! > rt.qemu_max_total_ms) rt.qemu_max_total_ms = a.ms[i]!;
    if (a.ms[i] === this.totalMs) rt.equal++;
    else {
      rt.parted++;
      // QEMU's total before this line is where the replay's count resumed after the last parting.
      const qemuGrew = (a.ms[i]! - before + U32) % U32;
      const replayGrew = (this.totalMs - before + U32) % U32;
      const cause = Math.abs(qemuGrew - replayGrew) === 1 ? 'phase' : qemuGrew === 0 || (replayGrew === 0 && this.drift > 0) ? 'race' : 'unknown';
      rt.causes[cause]++;
    }
    if (a.affected[i] !== affected) {
      const waiting = released.length > 0 ? `the replay released vCPU ${released.join(', ')}` : 'in the replay no vCPU slot held this page (a later fault of the same vCPU overwrote it, or it was erased)';
      note(found, b, a, i, hex, 'affected_cpu', a.affected[i]!, affected, `QEMU released ${a.affected[i]} vCPU(s) on this page; ${waiting}`);
    } else if (a.ms[i] !== this.totalMs) {
      note(found, b, a, i, hex, 'total_ms', a.ms[i]!, this.totalMs, `QEMU's running total blocktime is ${a.ms[i]} ms after this resolve, the replay's ${this.totalMs} ms: ${partingWhy(a.ms[i]! - before, this.totalMs - before, this.drift)}`);
    }
    // Count from QEMU's total on, so that the next report is a new divergence.
    this.totalMs = a.ms[i]!;
  }
}

/** The likely cause of a running total that parts from QEMU's, from the two increments at that end line. */
function partingWhy(qemuGrew: number, replayGrew: number, drift: number): string {
  if (Math.abs(qemuGrew - replayGrew) === 1) {
    return `the increments differ by 1 ms (phase): this resolve, or the last fault, fell on the other side of a millisecond boundary of QEMU's clock than in the replay`;
  }
  if (qemuGrew === 0) {
    return "QEMU's total did not grow (race): its count of blocked vCPUs was below N where the replay's reached it, as after an end line that ran between a fault's inject and its erase without the log showing it";
  }
  if (replayGrew === 0 && drift > 0) {
    return "the replay's total did not grow (race): its count of blocked vCPUs drifted at an erase row, QEMU's had not";
  }
  return 'the all-vCPUs-down windows differ before here (unknown)';
}

/** QEMU 10.1+: per-page lists of pending faults, in the mutex's order. */
class MutexTracer implements Tracer {
  private readonly tidCpu = new Map<number, number>();
  private readonly placedAt = new Map<number, number>();
  private readonly pending = new Map<number, number[]>();
  private readonly current: Int32Array;

  constructor(
    n: number,
    private readonly shift: number,
  ) {
    this.current = new Int32Array(n);
  }

  row(b: TraceBatch, a: AccountingBatch, i: number, _relT: number, lo: number, hi: number, found: Disagreement[]): void {
    const kind = b.kind[i];
    if (kind === Kind.vcpu) {
      this.tidCpu.set(b.tid[i]!, b.cpu[i]!);
      return;
    }
    const page = pageOf(lo, hi, this.shift);
    const accounted = a.event[i] === QemuLine.btBegin || a.event[i] === QemuLine.btEnd;
    if (kind === Kind.fault) {
      if (b.tid[i] === 0) return;
      const placed = this.placedAt.get(page);
      const cpu = this.tidCpu.get(b.tid[i]!) ?? -1;
      const list = this.pending.get(page);
      if (accounted) {
        const hex = pageHex(page, this.shift);
        if (placed !== undefined) {
          note(found, b, a, i, hex, 'received', 0, 1, `QEMU accounted this fault, so its bitmap said the page was missing; the log placed it before (line ${placed}), so the replay ignores the fault`);
        } else if (a.cpu[i] !== cpu) {
          note(found, b, a, i, hex, 'cpu', a.cpu[i]!, cpu, `QEMU accounted this fault to cpu ${a.cpu[i]}, the trace makes thread ${b.tid[i]} ${cpu < 0 ? 'no vCPU' : `vCPU ${cpu}`}`);
        } else if (a.flag[i] !== (list && list.length > 0 ? 1 : 0)) {
          note(found, b, a, i, hex, 'exist', a.flag[i]!, list && list.length > 0 ? 1 : 0, `QEMU ${a.flag[i] ? 'had' : 'had no'} other faults pending on this page, the replay ${list?.length ?? 0}`);
        }
      }
      if (placed !== undefined) return;
      if (cpu >= 0 && cpu < this.current.length) this.current[cpu]!++;
      if (list) list.unshift(cpu);
      else this.pending.set(page, [cpu]);
      return;
    }
    if (!this.placedAt.has(page)) this.placedAt.set(page, a.line[i]!);
    const list = this.pending.get(page) ?? [];
    this.pending.delete(page);
    let affected = 0;
    let affectedNon = 0;
    let left = 0;
    for (const cpu of list) {
      if (cpu < 0 || cpu >= this.current.length) {
        affectedNon++;
        continue;
      }
      if (--this.current[cpu]! === 0) affected++;
      else left++;
    }
    if (a.event[i] !== QemuLine.btEnd) return;
    const hex = pageHex(page, this.shift);
    if (a.released[i] !== list.length) {
      note(found, b, a, i, hex, 'released', a.released[i]!, list.length, `QEMU released ${a.released[i]} pending fault(s) of this page (end_one lines), the replay ${list.length}`);
    } else if (a.affected[i] !== affected) {
      note(found, b, a, i, hex, 'affected_cpus', a.affected[i]!, affected, `QEMU unblocked ${a.affected[i]} vCPU(s) with this resolve, the replay ${affected}: the vCPUs' outstanding fault counts differ before here`);
    } else if (a.affectedNonCpus[i] !== affectedNon) {
      note(found, b, a, i, hex, 'affected_non_cpus', a.affectedNonCpus[i]!, affectedNon, `QEMU released ${a.affectedNonCpus[i]} non-vCPU fault(s), the replay ${affectedNon}`);
    } else if (a.releasedLeft[i] !== left) {
      note(found, b, a, i, hex, 'left_faults', a.releasedLeft[i]!, left, `QEMU left ${a.releasedLeft[i]} vCPU(s) still blocked after this resolve, the replay ${left}`);
    }
  }
}
