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
/** How many recent faults an end line written late is checked against (a few suffice: the log lock delays lines by microseconds). */
const RECENT_FAULTS = 64;

/** What the mapping rules did: counts for `blocktime.source` and the import report. */
export interface MappingStats {
  rows: { vcpu: number; fault: number; resolve: number; erase: number };
  /** <= 10.0: fault rows moved into the millisecond their begin line names. */
  faults_retimed: number;
  /** <= 10.0: resolve rows moved before a fault whose begin line said `already_received: 1`. */
  resolves_moved: number;
  /** <= 10.0: `already_received: 1` faults whose page had no resolve row before them nor within the window after. */
  resolves_not_found: number;
  /**
   * <= 10.0: `already_received: 1` faults whose page's end line counted their
   * vCPU (QEMU's end ran between its inject and its erase): the resolve stays
   * after the fault and an `erase` row follows it.
   */
  races: number;
  /** <= 10.0: end lines that counted fewer of their page's racing faults than were waiting, so which vCPU it counted is undecided. */
  races_undecided: number;
  /** <= 10.0: end lines whose `affected_cpu` the log's faults do not explain (lines lost, or faults the log shows in another order). */
  ends_unexplained: number;
  /**
   * <= 10.0: resolve rows of other pages moved before a fault because their
   * end line's prefix is earlier than the fault's `get_mem_fault_cpu_index`
   * line: QEMU accounted them before it injected the fault.
   */
  resolves_before_inject: number;
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
    rows: { vcpu: 0, fault: 0, resolve: 0, erase: 0 },
    faults_retimed: 0,
    resolves_moved: 0,
    resolves_not_found: 0,
    races: 0,
    races_undecided: 0,
    ends_unexplained: 0,
    resolves_before_inject: 0,
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
  /** Prefix time of that fault's `get_mem_fault_cpu_index` line (NaN: none): QEMU injects the fault after writing it. */
  private cpuIndexT = NaN;
  /** Recent vCPU faults still in the queue: sequence numbers and cpu-index prefix times, oldest first (at most RECENT_FAULTS). */
  private recentSeq: number[] = [];
  private recentT: number[] = [];
  /** Faults waiting for their page's resolve: sequence numbers and page keys, oldest first. */
  private awaitSeq: number[] = [];
  private awaitPage: number[] = [];
  /** Their begin lines. */
  private awaitLine: number[] = [];
  /** Pages placed so far: one bit per page (the replay's PageSet), so a big VM's received set stays small. */
  private readonly received = new PageSet();
  /**
   * The atomic design's vCPU slots as the log shows them (cpu -> page, and
   * page -> cpus): which vCPUs an end line finds waiting on its page, so that
   * the ones its `affected_cpu` counts beyond them are racing faults.
   */
  private readonly slotPage = new Map<number, number>();
  private readonly pageCpus = new Map<number, number[]>();

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
        this.cpuIndexT = NaN;
        const i = q.push(pRel, Kind.fault, f.pid, f.addrLo, f.addrHi, -1, lineNo);
        this.awaitBegin = q.head + i;
        this.stats.rows.fault++;
        break;
      }
      case Ev.cpuIndex:
        // Not a vCPU: QEMU writes no begin line for it.
        if (f.cpu < 0) this.awaitBegin = -1;
        else this.cpuIndexT = pRel;
        break;
      case Ev.markBegin: {
        if (this.awaitBegin < 0) {
          this.stats.begins_without_request++;
          break;
        }
        let i = this.awaitBegin - q.head;
        this.awaitBegin = -1;
        i = this.endsBeforeInject(i);
        if (!Number.isNaN(this.cpuIndexT)) {
          this.recentSeq.push(q.head + i);
          this.recentT.push(this.cpuIndexT);
          if (this.recentSeq.length > RECENT_FAULTS) {
            this.recentSeq.shift();
            this.recentT.shift();
          }
        }
        q.event[i] = QemuLine.markBegin;
        q.qcpu[i] = f.cpu;
        q.ms[i] = f.ms;
        q.flag[i] = f.flag;
        const page = this.page(q.addrLo[i]!, q.addrHi[i]!);
        if (f.flag === 0) {
          // An end line written between the request and this line already counted the fault; else it waits in its slot.
          const j = this.resolveAfter(i, page);
          if (j >= 0 && q.unclaimed[j]! > 0) q.unclaimed[j]!--;
          else this.setSlot(f.cpu, page);
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
          // Inject, then erase: the slot ends empty either way.
          this.setSlot(f.cpu, -1);
          this.placedFirst(i, page, pRel);
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

  /**
   * End lines written between fault row `i`'s request and begin lines whose
   * prefix is earlier than its `get_mem_fault_cpu_index` line were accounted
   * before QEMU injected the fault (each prefix is taken after the
   * accounting it reports, and the cpu-index line before the inject): their
   * resolve rows move before the fault, in their order. Returns the fault's
   * new index. Resolves of the fault's own page stay: the begin line tells
   * where they belong.
   */
  private endsBeforeInject(i: number): number {
    const q = this.q;
    const t = this.cpuIndexT;
    if (Number.isNaN(t)) return i;
    const page = this.page(q.addrLo[i]!, q.addrHi[i]!);
    for (let j = i + 1; j < q.length; j++) {
      if (q.kind[j] !== Kind.resolve || q.event[j] !== QemuLine.markEnd || q.t[j]! >= t || this.page(q.addrLo[j]!, q.addrHi[j]!) === page) continue;
      q.moveBefore(j, i);
      this.shiftWaits(i, j);
      this.stats.resolves_before_inject++;
      i++;
    }
    return i;
  }

  /**
   * An end line written after the begin lines of faults that QEMU injected
   * after this end's accounting (their cpu-index line's prefix is later
   * than this end line's): its resolve row moves before the earliest such
   * fault of another page. Row `r` is the resolve, the last row.
   */
  private beforeLaterInjects(r: number, t: number, page: number): void {
    const q = this.q;
    let to = -1;
    for (let k = this.recentSeq.length - 1; k >= 0; k--) {
      const f = this.recentSeq[k]! - q.head;
      if (f < 0 || this.recentT[k]! <= t) break;
      if (this.page(q.addrLo[f]!, q.addrHi[f]!) !== page) to = f;
    }
    if (to < 0) return;
    q.moveBefore(r, to);
    this.shiftWaits(to, r);
    for (let k = 0; k < this.recentSeq.length; k++) if (this.recentSeq[k]! >= q.head + to) this.recentSeq[k]!++;
    this.stats.resolves_before_inject++;
  }

  /** Index of the first resolve row of `page` after row `i`, or -1. */
  private resolveAfter(i: number, page: number): number {
    const q = this.q;
    for (let j = i + 1; j < q.length; j++) {
      if (q.kind[j] === Kind.resolve && this.page(q.addrLo[j]!, q.addrHi[j]!) === page) return j;
    }
    return -1;
  }

  /** The model's slot of `cpu` now holds `page` (-1: empty). */
  private setSlot(cpu: number, page: number): void {
    const had = this.slotPage.get(cpu);
    if (had === page) return;
    if (had !== undefined) {
      const cpus = this.pageCpus.get(had)!;
      cpus.splice(cpus.indexOf(cpu), 1);
      if (cpus.length === 0) this.pageCpus.delete(had);
      this.slotPage.delete(cpu);
    }
    if (page < 0) return;
    this.slotPage.set(cpu, page);
    const cpus = this.pageCpus.get(page);
    if (cpus) cpus.push(cpu);
    else this.pageCpus.set(page, [cpu]);
  }

  /**
   * QEMU found the page of fault row `i` already placed (`already_received: 1`):
   * where was the page's end line? If it counted a vCPU the slots do not
   * explain, it ran between this fault's inject and its erase (the race):
   * the resolve stays after the fault and an `erase` row follows it. If not,
   * it ran before the inject: the resolve row moves before the fault.
   */
  private placedFirst(i: number, page: number, pRel: number): void {
    const q = this.q;
    // A resolve written between the request line and the begin line.
    const j = this.resolveAfter(i, page);
    if (j >= 0) {
      if (q.unclaimed[j]! > 0) {
        q.unclaimed[j]!--;
        this.eraseAfter(i, q.length - 1, pRel, this.lineNo);
        this.stats.races++;
      } else this.moveBefore(j, i);
      return;
    }
    if (this.received.has(pageLo(q.addrLo[i]!, q.addrHi[i]!, this.pageShift), pageHi(q.addrHi[i]!, this.pageShift))) return;
    this.awaitSeq.push(q.head + i);
    this.awaitPage.push(page);
    this.awaitLine.push(this.lineNo);
  }

  /**
   * An `erase` row for fault row `f`, placed just after row `after` at time
   * `t`. It carries the fault's begin line, moved from the fault row: that
   * line is written after the erase.
   */
  private eraseAfter(f: number, after: number, t: number, beginLine: number): void {
    const q = this.q;
    const e = q.push(t, Kind.erase, q.tid[f]!, q.addrLo[f]!, q.addrHi[f]!, -1, beginLine);
    q.event[e] = q.event[f]!;
    q.qcpu[e] = q.qcpu[f]!;
    q.ms[e] = q.ms[f]!;
    q.flag[e] = q.flag[f]!;
    q.event[f] = QemuLine.none;
    q.qcpu[f] = -1;
    q.flag[f] = 0;
    if (e !== after + 1) {
      q.moveBefore(e, after + 1);
      this.shiftWaits(after + 1, e);
    }
    this.stats.rows.erase++;
  }

  private atomicResolve(f: EventFields, pRel: number, lineNo: number, event: number): void {
    const q = this.q;
    const page = this.page(f.addrLo, f.addrHi);
    this.received.add(pageLo(f.addrLo, f.addrHi, this.pageShift), pageHi(f.addrHi, this.pageShift));
    const r = q.push(pRel, Kind.resolve, 0, f.addrLo, f.addrHi, -1, lineNo);
    q.event[r] = event;
    q.ms[r] = event === QemuLine.markEnd ? f.ms : 0;
    q.affected[r] = event === QemuLine.markEnd ? f.affected : 0;
    this.stats.rows.resolve++;
    if (event === QemuLine.markEnd) this.beforeLaterInjects(r, pRel, page);
    // The slots QEMU's end found holding the page; what `affected_cpu` counts beyond them are racing faults.
    const held = [...(this.pageCpus.get(page) ?? [])];
    for (const cpu of held) this.setSlot(cpu, -1);
    if (event === QemuLine.markEnd) q.unclaimed[r] = f.affected - held.length;
    const waiting: number[] = [];
    for (let m = 0; m < this.awaitPage.length; m++) if (this.awaitPage[m] === page) waiting.push(m);
    if (waiting.length === 0) return;
    // Faults waiting on this page, oldest first: the first `races` ran into the end, the rest came after it.
    const races = Math.min(Math.max(q.unclaimed[r]!, 0), waiting.length);
    if (races > 0 && races < waiting.length) this.stats.races_undecided++;
    q.unclaimed[r]! -= races;
    let at = r;
    if (races < waiting.length) {
      const to = this.awaitSeq[waiting[races]!]! - q.head;
      this.moveBefore(r, to);
      at = to;
    }
    for (let k = races - 1; k >= 0; k--) {
      const m = waiting[k]!;
      this.eraseAfter(this.awaitSeq[m]! - q.head, at, pRel, this.awaitLine[m]!);
      this.stats.races++;
    }
    for (let k = waiting.length - 1; k >= 0; k--) {
      const m = waiting[k]!;
      this.awaitPage.splice(m, 1);
      this.awaitSeq.splice(m, 1);
      this.awaitLine.splice(m, 1);
    }
  }

  private moveBefore(from: number, to: number): void {
    this.q.moveBefore(from, to);
    this.stats.resolves_moved++;
    this.shiftWaits(to, from);
  }

  /** Rows at [to, from) moved down one place: so did any wait on them. */
  private shiftWaits(to: number, from: number): void {
    const lo = this.q.head + to;
    const hi = this.q.head + from;
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
      this.awaitLine.shift();
      this.stats.resolves_not_found++;
    }
    if (this.firstHeld() >= this.batchRows) {
      this.countUnexplained(this.batchRows);
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
    this.awaitLine = [];
    this.placeHeld.clear();
    this.stats.queue_high_water = this.q.highWater;
    while (this.q.length > 0) {
      const n = Math.min(this.q.length, this.batchRows);
      this.countUnexplained(n);
      this.ready.push(this.q.drain(n));
    }
  }

  /** End rows about to leave whose `affected_cpu` no fault of the log accounts for, or that found fewer vCPUs than the slots hold. */
  private countUnexplained(n: number): void {
    if (!this.atomic) return;
    const q = this.q;
    for (let i = 0; i < n; i++) if (q.event[i] === QemuLine.markEnd && q.unclaimed[i] !== 0) this.stats.ends_unexplained++;
  }
}
