/**
 * fast-check arbitraries for small traces: random steps interpreted by a
 * little state machine, so that a trace can be asked to avoid the things
 * that make the designs legitimately disagree (re-entrant faults, faults on
 * received pages, non-vCPU threads, sub-millisecond times).
 */
import fc from 'fast-check';
import { allocBatch, subBatch, type TraceBatch } from '../../src/trace/batch.js';
import { Kind } from '../../src/trace/schema.js';

export interface TraceShape {
  /** No thread faults again while one of its faults is open (and so no thread faults twice on one page). */
  noReentrant?: boolean;
  /** No faults on pages already received. */
  noReceivedFaults?: boolean;
  /** No threads other than vCPUs (thread id 0 faults are still allowed). */
  noNonVcpu?: boolean;
  /** Every time a whole millisecond after a millisecond-aligned start, faults at least 1 ms after it. */
  msAligned?: boolean;
  /** Faults at least 1 ms after the start (the atomic clock's clamp to 1 then never applies). */
  faultsAfterFirstMs?: boolean;
}

export interface Row {
  t: bigint;
  kind: number;
  tid: number;
  addr: bigint;
  cpu: number;
}

export interface GeneratedTrace {
  vcpus: number;
  rows: Row[];
}

const PAGE = 4096n;
const VCPU_TID = 100;
const OTHER_TID = 900;

const step = fc.record({ op: fc.nat(99), a: fc.nat(1000), b: fc.nat(1000), dt: fc.nat(3_000_000) });

export function traceArb(shape: TraceShape = {}, maxSteps = 60): fc.Arbitrary<GeneratedTrace> {
  return fc
    .record({
      vcpus: fc.integer({ min: 1, max: 4 }),
      others: shape.noNonVcpu ? fc.constant(0) : fc.integer({ min: 0, max: 2 }),
      pages: fc.integer({ min: 1, max: 10 }),
      base: fc.constantFrom(0n, 1_000_000n, 1_700_000_000_123_456_789n, -5_000_000_000n),
      steps: fc.array(step, { maxLength: maxSteps, size: 'max' }),
    })
    .map(({ vcpus, others, pages, base, steps }) => build(shape, vcpus, others, pages, shape.msAligned ? (base / 1_000_000n) * 1_000_000n : base, steps));
}

function build(shape: TraceShape, vcpus: number, others: number, pages: number, base: bigint, steps: Array<{ op: number; a: number; b: number; dt: number }>): GeneratedTrace {
  const rows: Row[] = [];
  for (let c = 0; c < vcpus; c++) rows.push({ t: base, kind: Kind.vcpu, tid: VCPU_TID + c, addr: 0n, cpu: c });
  const threads = [...Array.from({ length: vcpus }, (_, c) => VCPU_TID + c), ...Array.from({ length: others }, (_, j) => OTHER_TID + j), 0];
  const blockedOn = new Map<number, number>();
  const outstanding: number[] = [];
  const received = new Set<number>();
  let t = base + (shape.msAligned || shape.faultsAfterFirstMs ? 1_000_000n : 0n);
  for (const s of steps) {
    t += shape.msAligned ? BigInt(s.dt % 4) * 1_000_000n : BigInt(s.dt);
    // Pages from 1 up: page 0 is the atomic design's "no fault" marker.
    const page = 1 + (s.b % pages);
    const addr = (BigInt(page) * PAGE) | BigInt(s.a % 4096);
    if (s.op < 45) {
      const tid = threads[s.a % threads.length]!;
      if (shape.noReentrant && blockedOn.has(tid)) continue;
      if (shape.noReceivedFaults && received.has(page)) continue;
      rows.push({ t, kind: Kind.fault, tid, addr, cpu: -1 });
      if (tid !== 0 && !received.has(page)) {
        blockedOn.set(tid, page);
        outstanding.push(page);
      }
    } else {
      const target = s.op < 90 && outstanding.length > 0 ? outstanding[s.b % outstanding.length]! : page;
      rows.push({ t, kind: Kind.resolve, tid: 0, addr: BigInt(target) * PAGE, cpu: -1 });
      received.add(target);
      for (let k = outstanding.length - 1; k >= 0; k--) if (outstanding[k] === target) outstanding.splice(k, 1);
      for (const [tid, p] of blockedOn) if (p === target) blockedOn.delete(tid);
    }
  }
  return { vcpus, rows };
}

export function toBatch(rows: Row[]): TraceBatch {
  const b = allocBatch(rows.length);
  rows.forEach((r, i) => {
    b.t[i] = r.t;
    b.kind[i] = r.kind;
    b.tid[i] = r.tid;
    b.addr[i] = r.addr;
    b.cpu[i] = r.cpu;
  });
  return b;
}

/** The trace cut into batches at the given fractions of its length. */
export function splitBatch(b: TraceBatch, cuts: number[]): TraceBatch[] {
  const at = [...new Set(cuts.map((f) => Math.floor(f * b.length)))].sort((x, y) => x - y);
  const out: TraceBatch[] = [];
  let start = 0;
  for (const end of [...at, b.length]) {
    if (end > start) out.push(subBatch(b, start, end));
    start = Math.max(start, end);
  }
  return out;
}
