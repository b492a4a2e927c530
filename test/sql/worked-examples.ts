/**
 * The worked examples of docs/blocktime.md as TraceBatches, with the `exact`
 * figures the page gives (times in ms there, ns here).
 */
import { allocBatch, type TraceBatch } from '../../src/trace/batch.js';
import { Kind } from '../../src/trace/schema.js';

export type Row = [tMs: number, kind: 'vcpu' | 'fault' | 'resolve', tid: number, addr: bigint, cpu?: number];

export function batchFromRows(rows: readonly Row[], firstRow = 0): TraceBatch {
  const b = allocBatch(rows.length, firstRow);
  rows.forEach(([tMs, kind, tid, addr, cpu], i) => {
    b.t[i] = BigInt(Math.round(tMs * 1e6));
    b.kind[i] = Kind[kind];
    b.tid[i] = tid;
    b.addr[i] = addr;
    b.cpu[i] = cpu ?? -1;
  });
  return b;
}

const A = 0x1000n, B = 0x2000n, C = 0x3000n, D = 0x4000n, E = 0x5000n;
const MS = 1_000_000;

export interface WorkedExample {
  name: string;
  rows: Row[];
  exact: { vcpu_blocktime_ns: number[]; total_blocktime_ns: number };
}

const two: Row[] = [[0, 'vcpu', 201, 0n, 0], [0, 'vcpu', 202, 0n, 1]];

export const WORKED_EXAMPLES: WorkedExample[] = [
  {
    name: 'example 1: three vCPUs, an all-vCPUs-down window',
    rows: [
      [0, 'vcpu', 101, 0n, 0], [0, 'vcpu', 102, 0n, 1], [0, 'vcpu', 103, 0n, 2],
      [10, 'fault', 101, A], [20, 'fault', 102, B], [30, 'resolve', 0, A], [40, 'fault', 103, C],
      [50, 'fault', 101, D], [60, 'resolve', 0, B], [70, 'resolve', 0, C], [80, 'resolve', 0, D],
    ],
    exact: { vcpu_blocktime_ns: [50 * MS, 40 * MS, 30 * MS], total_blocktime_ns: 10 * MS },
  },
  {
    name: 'example 2: a second fault on a vCPU before its first is resolved',
    rows: [...two, [0, 'fault', 201, A], [5, 'fault', 202, B], [10, 'fault', 201, C], [12, 'resolve', 0, A], [20, 'resolve', 0, C], [30, 'resolve', 0, B]],
    exact: { vcpu_blocktime_ns: [20 * MS, 25 * MS], total_blocktime_ns: 15 * MS },
  },
  {
    name: 'example 3: the same, resolved in the other order',
    rows: [...two, [0, 'fault', 201, A], [5, 'fault', 202, B], [10, 'fault', 201, C], [15, 'resolve', 0, C], [20, 'resolve', 0, A], [30, 'resolve', 0, B]],
    exact: { vcpu_blocktime_ns: [15 * MS, 25 * MS], total_blocktime_ns: 10 * MS },
  },
  {
    name: 'example 4: a fault on a page that is already there, while blocked',
    rows: [...two, [0, 'fault', 201, A], [1, 'resolve', 0, B], [3, 'fault', 201, B], [5, 'fault', 202, C], [10, 'resolve', 0, A], [12, 'resolve', 0, C]],
    exact: { vcpu_blocktime_ns: [3 * MS, 7 * MS], total_blocktime_ns: 0 },
  },
  {
    name: 'example 5: other threads, and unknown threads',
    rows: [
      [0, 'vcpu', 301, 0n, 0],
      [0, 'fault', 999, E], [2, 'fault', 0, A], [4, 'fault', 301, B], [8, 'resolve', 0, E], [9, 'resolve', 0, B], [9, 'resolve', 0, A],
    ],
    exact: { vcpu_blocktime_ns: [5 * MS], total_blocktime_ns: 5 * MS },
  },
];
