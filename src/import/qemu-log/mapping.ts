/**
 * Second pass: QEMU log lines -> trace rows, as docs/qemu-logs.md maps them,
 * in QEMU's serialization order with the `vcpu` rows first.
 *
 * Look-ahead is bounded. A row waits in the `RowQueue` only while a rule may
 * still change it:
 * - <= 10.0, a fault row until its begin line (the fault thread writes the
 *   request, cpu-index and begin lines back to back: a few lines);
 * - <= 10.0, a fault whose begin line says `already_received: 1` while the
 *   page's resolve row has not been seen: until that resolve row, which
 *   moves just before the fault; at most `MAX_WINDOW_ROWS` rows, after which
 *   the fault is released unchanged and counted (`resolves_not_found`);
 * - >= 10.1, a resolve made from a place line, for `PLACE_WINDOW_LINES` log
 *   lines: a begin line of that page in that window proves QEMU had not
 *   placed it yet (begin lines are only written for missing pages), so the
 *   place line was not its resolve and the row is dropped (the page's end
 *   line resolves it).
 * Rows behind the first waiting row wait with it, so memory is bounded by
 * those windows plus one batch, and by the received set (<= 10.0, one bit
 * per page) or the pages with pending faults (>= 10.1).
 */
import type { TraceBatch } from '../../trace/batch.js';
import { Kind } from '../../trace/schema.js';
import { QemuLine, type AccountingBatch } from './accounting.js';
import { Ev, type EvCode, type EventFields } from './lines.js';
import { PageSet, pageHi, pageLo } from '../../replay/page-table.js';
import { DROPPED, RowQueue } from './row-queue.js';
import type { LogScan } from './scan.js';

/** Most rows held behind one `already_received: 1` fault waiting for its page's resolve. */
export const MAX_WINDOW_ROWS = 1 << 18;
/** How many log lines a >= 10.1 place-line resolve stays revocable. */
export const PLACE_WINDOW_LINES = 1 << 14;

/** What the mapping rules did: counts for `blocktime.source` and the import report. */
export interface MappingStats {
  rows: { vcpu: number; fault: number; resolve: number };
  /** <= 10.0: fault rows moved into the millisecond their begin line names. */
  faults_retimed: number;
  /** <= 10.0: resolve rows moved before a fault whose begin line said `already_received: 1`. */
  resolves_moved: number;
  /** <= 10.0: `already_received: 1` faults whose page had no resolve row before them nor within the window after. */
  resolves_not_found: number;
  /** Begin lines with no request line to belong to. */
  begins_without_request: number;
  /** >= 10.1: resolve rows made from place lines of pages without pending faults. */
  place_resolves: number;
  /** >= 10.1: of those, dropped because a begin line of the page followed. */
  place_resolves_dropped: number;
  /** >= 10.1: begin lines naming a cpu no `postcopy_blocktime_tid_cpu_map` line declared. */
  begins_unknown_cpu: number;
  /** Most rows the queue held at once (final rows waiting to fill a batch included). */
  queue_high_water: number;
}

export function newMappingStats(): MappingStats {
  return {
    rows: { vcpu: 0, fault: 0, resolve: 0 },
    faults_retimed: 0,
    resolves_moved: 0,
    resolves_not_found: 0,
    begins_without_request: 0,
    place_resolves: 0,
    place_resolves_dropped: 0,
    begins_unknown_cpu: 0,
    queue_high_water: 0,
  };
}

export interface BatchPair {
  batch: TraceBatch;
  acct: AccountingBatch;
}

export class LogMapper {
  readonly stats: MappingStats = newMappingStats();
  /** Full batches ready to leave. */
  readonly ready: BatchPair[] = [];
  private readonly q: RowQueue;
  private readonly pageShift: number;
  private readonly atomic: boolean;
  private readonly endLines: boolean;
  private readonly prefixed: boolean;

  // <= 10.0
  /** Sequence number of the fault row still waiting for its begin line, or -1. */
  private awaitBegin = -1;
  /** Faults waiting for their page's resolve: sequence numbers and page keys, oldest first. */
  private awaitSeq: number[] = [];
  private awaitPage: number[] = [];
  /** Pages placed so far: one bit per page (the replay's PageSet), so a big VM's received set stays small. */
  private readonly received = new PageSet();

  // >= 10.1
  private lastPid = 0;
  private readonly pending = new Map<number, number>();
  /** Page -> sequence number of its revocable place-line resolve. */
  private readonly placeHeld = new Map<number, number>();
  /** Sequence number from which place-line resolves may still be revocable. */
  private placeScan = 0;
  private endOnes = 0;
  private endOnesLeft = 0;
  private lastT: number;
  private lineNo = 0;

  constructor(
    private readonly scan: LogScan,
    private readonly batchRows: number,
    pageSize: number,
  ) {
    this.atomic = scan.generation === 'atomic';
    this.endLines = scan.counts[Ev.markEnd]! > 0;
    this.prefixed = scan.prefix !== 'none';
    this.pageShift = Math.log2(pageSize);
    const rowsOnTimeClock = !this.atomic && (scan.timeOffset !== undefined || !this.prefixed);
    this.q = new RowQueue(rowsOnTimeClock ? scan.timeBaseSec : scan.prefixBaseSec);
    this.lastT = scan.vcpuRowTime;
    const cpus = [...scan.vcpuTids.keys()].sort((a, b) => a - b);
    for (const cpu of cpus) this.q.push(scan.vcpuRowTime, Kind.vcpu, scan.vcpuTids.get(cpu)!, 0, 0, cpu, 0);
    this.stats.rows.vcpu = cpus.length;
  }

  /** Page key of an address: exact below 2^53 pages. */
  private page(lo: number, hi: number): number {
    return hi * 2 ** (32 - this.pageShift) + (lo >>> this.pageShift);
  }

  /**
   * One known event line. `pRel`: its prefix time (ns from the prefix base);
   * `tRel`: its `time` field for >= 10.1 begin/end lines (ns from the time base).
   */
  line(code: EvCode, f: EventFields, pRel: number, tRel: number, lineNo: number): void {
    this.lineNo = lineNo;
    if (this.atomic) this.atomicLine(code, f, pRel, lineNo);
    else this.mutexLine(code, f, pRel, tRel, lineNo);
    this.release();
  }

  private atomicLine(code: EvCode, f: EventFields, pRel: number, lineNo: number): void {
    const q = this.q;
    switch (code) {
      case Ev.request: {
        this.awaitBegin = -1;
        const i = q.push(pRel, Kind.fault, f.pid, f.addrLo, f.addrHi, -1, lineNo);
        this.awaitBegin = q.head + i;
        this.stats.rows.fault++;
        break;
      }
      case Ev.cpuIndex:
        // Not a vCPU: QEMU writes no begin line for it.
        if (f.cpu < 0) this.awaitBegin = -1;
        break;
      case Ev.markBegin: {
        if (this.awaitBegin < 0) {
          this.stats.begins_without_request++;
          break;
        }
        const i = this.awaitBegin - q.head;
        this.awaitBegin = -1;
        q.event[i] = QemuLine.markBegin;
        q.qcpu[i] = f.cpu;
        q.ms[i] = f.ms;
        q.flag[i] = f.flag;
        if (f.flag === 0) {
          // QEMU took this fault's time in the millisecond `time` names: follow its clock.
          if (this.scan.startMs !== undefined) {
            const ms = this.scan.startMs + f.ms;
            const t = q.t[i]!;
            const had = Math.floor(t / 1e6);
            if (had !== ms) {
              // The nearest instant inside that millisecond: its start when later, its last ns when earlier.
              q.t[i] = ms > had ? ms * 1e6 : ms * 1e6 + 999999;
              this.stats.faults_retimed++;
            }
          }
        } else {
          this.placedFirst(i);
        }
        break;
      }
      case Ev.markEnd:
        this.atomicResolve(f, pRel, lineNo, QemuLine.markEnd);
        break;
      case Ev.place:
      case Ev.placeZero:
        if (!this.endLines) this.atomicResolve(f, pRel, lineNo, QemuLine.place);
        break;
      default:
    }
  }

  /** QEMU found the page of fault row `i` already placed: its resolve row must come before the fault. */
  private placedFirst(i: number): void {
    const q = this.q;
    const page = this.page(q.addrLo[i]!, q.addrHi[i]!);
    // A resolve written between the request line and the begin line.
    for (let j = i + 1; j < q.length; j++) {
      if (q.kind[j] === Kind.resolve && this.page(q.addrLo[j]!, q.addrHi[j]!) === page) {
        this.moveBefore(j, i);
        return;
      }
    }
    if (this.received.has(pageLo(q.addrLo[i]!, q.addrHi[i]!, this.pageShift), pageHi(q.addrHi[i]!, this.pageShift))) return;
    this.awaitSeq.push(q.head + i);
    this.awaitPage.push(page);
  }

  private atomicResolve(f: EventFields, pRel: number, lineNo: number, event: number): void {
    const q = this.q;
    const page = this.page(f.addrLo, f.addrHi);
    this.received.add(pageLo(f.addrLo, f.addrHi, this.pageShift), pageHi(f.addrHi, this.pageShift));
    const i = q.push(pRel, Kind.resolve, 0, f.addrLo, f.addrHi, -1, lineNo);
    q.event[i] = event;
    q.ms[i] = event === QemuLine.markEnd ? f.ms : 0;
    q.affected[i] = event === QemuLine.markEnd ? f.affected : 0;
    this.stats.rows.resolve++;
    const k = this.awaitPage.indexOf(page);
    if (k < 0) return;
    this.moveBefore(i, this.awaitSeq[k]! - q.head);
    // Every fault waiting on this page is now behind its resolve.
    for (let m = this.awaitPage.length - 1; m >= 0; m--) {
      if (this.awaitPage[m] === page) {
        this.awaitPage.splice(m, 1);
        this.awaitSeq.splice(m, 1);
      }
    }
  }

  private moveBefore(from: number, to: number): void {
    const q = this.q;
    q.moveBefore(from, to);
    this.stats.resolves_moved++;
    // Rows at [to, from) moved down one place: so did any wait on them.
    const lo = q.head + to;
    const hi = q.head + from;
    if (this.awaitBegin >= lo && this.awaitBegin < hi) this.awaitBegin++;
    for (let m = 0; m < this.awaitSeq.length; m++) {
      const s = this.awaitSeq[m]!;
      if (s >= lo && s < hi) this.awaitSeq[m] = s + 1;
    }
  }

  private mutexLine(code: EvCode, f: EventFields, pRel: number, tRel: number, lineNo: number): void {
    const q = this.q;
    switch (code) {
      case Ev.request:
        this.lastPid = f.pid;
        break;
      case Ev.btBegin: {
        let tid: number;
        if (f.cpu >= 0) {
          const vt = this.scan.vcpuTids.get(f.cpu);
          if (vt === undefined) this.stats.begins_unknown_cpu++;
          tid = vt ?? this.lastPid;
        } else {
          if (this.lastPid === 0) this.stats.begins_without_request++;
          tid = this.lastPid;
        }
        const page = this.page(f.addrLo, f.addrHi);
        const held = this.placeHeld.get(page);
        if (held !== undefined) {
          this.placeHeld.delete(page);
          // Still in the queue and within its window (the test on lines keeps the result independent of batch size).
          if (held >= q.head && q.line[held - q.head]! + PLACE_WINDOW_LINES >= lineNo) {
            q.kind[held - q.head] = DROPPED;
            this.stats.place_resolves_dropped++;
            this.stats.rows.resolve--;
          }
        }
        this.pending.set(page, (this.pending.get(page) ?? 0) + 1);
        const i = q.push(tRel, Kind.fault, tid, f.addrLo, f.addrHi, -1, lineNo);
        q.event[i] = QemuLine.btBegin;
        q.qcpu[i] = f.cpu;
        q.flag[i] = f.flag;
        this.lastT = tRel;
        this.stats.rows.fault++;
        break;
      }
      case Ev.btEndOne:
        this.endOnes++;
        if (f.flag > 0) this.endOnesLeft++;
        break;
      case Ev.btEnd: {
        const page = this.page(f.addrLo, f.addrHi);
        this.pending.delete(page);
        const i = q.push(tRel, Kind.resolve, 0, f.addrLo, f.addrHi, -1, lineNo);
        q.event[i] = QemuLine.btEnd;
        q.affected[i] = f.affected;
        q.affectedNon[i] = f.affectedNonCpus;
        q.released[i] = this.endOnes;
        q.releasedLeft[i] = this.endOnesLeft;
        this.endOnes = 0;
        this.endOnesLeft = 0;
        this.lastT = tRel;
        this.stats.rows.resolve++;
        break;
      }
      case Ev.place:
      case Ev.placeZero: {
        const page = this.page(f.addrLo, f.addrHi);
        // Written before the page is placed; the page's end line is its resolve.
        if (this.pending.has(page)) break;
        const t = this.prefixed ? pRel - (this.scan.timeOffset ?? 0) : this.lastT;
        const i = q.push(t, Kind.resolve, 0, f.addrLo, f.addrHi, -1, lineNo);
        q.event[i] = QemuLine.place;
        this.placeHeld.set(page, q.head + i);
        this.lastT = t;
        this.stats.place_resolves++;
        this.stats.rows.resolve++;
        break;
      }
      default:
    }
  }

  /** Index of the first row a rule may still change (the queue length when none). */
  private firstHeld(): number {
    const q = this.q;
    let h = q.length;
    if (this.atomic) {
      if (this.awaitBegin >= 0) h = Math.min(h, this.awaitBegin - q.head);
      if (this.awaitSeq.length > 0) h = Math.min(h, this.awaitSeq[0]! - q.head);
    } else {
      // Place-line resolves are revocable for PLACE_WINDOW_LINES lines; rows come in line order.
      let i = Math.max(this.placeScan - q.head, 0);
      while (i < q.length && (q.event[i] !== QemuLine.place || q.kind[i] === DROPPED || q.line[i]! + PLACE_WINDOW_LINES < this.lineNo)) i++;
      this.placeScan = q.head + i;
      h = Math.min(h, i);
    }
    return h;
  }

  /** Moves final rows out in full batches, and enforces the window bound. */
  private release(): void {
    const q = this.q;
    while (this.atomic && this.awaitSeq.length > 0 && q.length > this.batchRows + MAX_WINDOW_ROWS) {
      this.awaitSeq.shift();
      this.awaitPage.shift();
      this.stats.resolves_not_found++;
    }
    if (this.firstHeld() >= this.batchRows) {
      this.ready.push(q.drain(this.batchRows));
      this.dropStalePlaceHolds();
    }
  }

  /** After a drain the map must not keep pages whose rows have left (bounded by the window). */
  private dropStalePlaceHolds(): void {
    if (this.placeHeld.size === 0) return;
    for (const [page, seq] of this.placeHeld) if (seq < this.q.head) this.placeHeld.delete(page);
  }

  /** End of the log: every wait ends, every row leaves. */
  finish(): void {
    this.awaitBegin = -1;
    this.stats.resolves_not_found += this.awaitSeq.length;
    this.awaitSeq = [];
    this.awaitPage = [];
    this.placeHeld.clear();
    this.stats.queue_high_water = this.q.highWater;
    while (this.q.length > 0) this.ready.push(this.q.drain(Math.min(this.q.length, this.batchRows)));
  }
}
