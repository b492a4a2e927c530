/**
 * An independent reading of a trace's shape, for the simulator's tests: which
 * irregularities it holds, counted from the rows alone with the bookkeeping
 * of docs/blocktime.md (received set, pending faults per page), not from the
 * simulator's own counters.
 */
import type { TraceBatch } from '../../../src/trace/batch.js';
import { Kind } from '../../../src/trace/schema.js';

export interface TraceShape {
  rows: number;
  vcpuRows: number;
  /** cpu index per vcpu row, in order. */
  cpus: number[];
  faults: number;
  resolves: number;
  /** Faults of a declared vCPU, with a tid, on a page not yet received. */
  countedVcpuFaults: number;
  nonVcpuFaults: number;
  tid0Faults: number;
  receivedFaults: number;
  /** Of those, by a thread that still had a counted fault outstanding (what loses a blocked vCPU in the atomic design). */
  receivedWhileBlocked: number;
  /** Counted faults by a thread that had a counted fault outstanding on another page. */
  reentrant: number;
  /** Resolves of a thread's newer fault while an older one is still outstanding: the late order. */
  lateResolves: number;
  /** Counted faults on a page that already had a counted fault pending (any thread). */
  duplicates: number;
  /** Resolves of pages nobody faulted on. */
  unrequestedResolves: number;
  /** Pages resolved more than once. */
  doubleResolves: number;
  /** Counted faults never resolved. */
  unresolved: number;
  timesNonDecreasing: boolean;
  firstT: bigint;
  lastT: bigint;
  /** Page keys of the fault rows, in order. */
  faultPages: bigint[];
  minAddr: bigint;
  maxAddr: bigint;
}

export function traceShape(batches: Iterable<TraceBatch>, pageSize = 4096): TraceShape {
  const mask = ~(BigInt(pageSize) - 1n);
  const s: TraceShape = {
    rows: 0, vcpuRows: 0, cpus: [], faults: 0, resolves: 0, countedVcpuFaults: 0, nonVcpuFaults: 0, tid0Faults: 0,
    receivedFaults: 0, receivedWhileBlocked: 0, reentrant: 0, lateResolves: 0, duplicates: 0, unrequestedResolves: 0,
    doubleResolves: 0, unresolved: 0, timesNonDecreasing: true, firstT: 0n, lastT: 0n, faultPages: [],
    minAddr: 2n ** 64n, maxAddr: 0n,
  };
  const vcpuTids = new Set<number>();
  const received = new Set<bigint>();
  /** page -> tids with a counted fault pending on it */
  const pending = new Map<bigint, number[]>();
  /** tid -> pages with counted faults outstanding, oldest first */
  const outstanding = new Map<number, bigint[]>();
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const t = b.t[i]!;
      if (s.rows === 0) s.firstT = t;
      else if (t < s.lastT) s.timesNonDecreasing = false;
      s.lastT = t;
      s.rows++;
      const tid = b.tid[i]!;
      const page = b.addr[i]! & mask;
      switch (b.kind[i]) {
        case Kind.vcpu:
          s.vcpuRows++;
          s.cpus.push(b.cpu[i]!);
          vcpuTids.add(tid);
          break;
        case Kind.fault: {
          s.faults++;
          s.faultPages.push(page);
          if (b.addr[i]! < s.minAddr) s.minAddr = b.addr[i]!;
          if (b.addr[i]! > s.maxAddr) s.maxAddr = b.addr[i]!;
          const mine = outstanding.get(tid) ?? [];
          if (tid === 0) {
            s.tid0Faults++;
            break;
          }
          if (received.has(page)) {
            s.receivedFaults++;
            if (mine.length > 0) s.receivedWhileBlocked++;
            break;
          }
          if (vcpuTids.has(tid)) s.countedVcpuFaults++;
          else s.nonVcpuFaults++;
          if (mine.some((p) => p !== page)) s.reentrant++;
          const waiting = pending.get(page) ?? [];
          if (waiting.length > 0) s.duplicates++;
          waiting.push(tid);
          pending.set(page, waiting);
          mine.push(page);
          outstanding.set(tid, mine);
          break;
        }
        case Kind.resolve: {
          s.resolves++;
          if (received.has(page)) s.doubleResolves++;
          received.add(page);
          const waiting = pending.get(page);
          if (!waiting) {
            s.unrequestedResolves++;
            break;
          }
          pending.delete(page);
          for (const w of new Set(waiting)) {
            const mine = outstanding.get(w)!;
            const at = mine.indexOf(page);
            if (at > 0) s.lateResolves++;
            outstanding.set(w, mine.filter((p) => p !== page));
          }
          break;
        }
      }
    }
  }
  for (const w of pending.values()) s.unresolved += w.length;
  return s;
}
