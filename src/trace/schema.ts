/**
 * The trace model of docs/trace-format.md: one definition of the columns, the kind
 * codes and the metadata keys, shared by every reader, writer and variant.
 */

/**
 * `erase` says "the `atomic` design's received check erased this thread's
 * vCPU slot here": only a QEMU <= 10.0 log import writes it, where the log
 * shows QEMU's inject / end / erase race (docs/qemu-logs.md); the other
 * designs ignore it (docs/blocktime.md).
 */
export const Kind = { vcpu: 0, fault: 1, resolve: 2, erase: 3 } as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];
export const KIND_NAMES = ['vcpu', 'fault', 'resolve', 'erase'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** `kind` as an SQL type (DuckDB's ENUM): the table a load fills and the view over a Parquet trace must agree on it. */
export const KIND_SQL_TYPE = `ENUM(${KIND_NAMES.map((k) => `'${k}'`).join(', ')})`;

export function kindCode(name: string): KindCode | undefined {
  switch (name) {
    case 'vcpu':
      return Kind.vcpu;
    case 'fault':
      return Kind.fault;
    case 'resolve':
      return Kind.resolve;
    case 'erase':
      return Kind.erase;
    default:
      return undefined;
  }
}

/** Column names in file order. */
export const COLUMNS = ['t_ns', 'kind', 'tid', 'addr', 'cpu'] as const;

export const META = {
  pageSize: 'blocktime.page_size',
  vcpus: 'blocktime.vcpus',
  startNs: 'blocktime.start_ns',
  source: 'blocktime.source',
} as const;

export const DEFAULT_PAGE_SIZE = 4096;

/**
 * The most vCPUs a trace may have (QEMU's own limit is lower): the replay
 * keeps per-vCPU arrays of N entries, so N is bounded wherever it comes from
 * (metadata, --vcpus, the highest declared cpu, a QEMU log).
 */
export const MAX_VCPUS = 65536;

/** Rows per record batch when we write Arrow: large enough to amortize per-batch work, small enough to stream. */
export const DEFAULT_BATCH_ROWS = 65536;

/** Trace-level metadata. Absent fields take the defaults of docs/trace-format.md#trace-metadata. */
export interface TraceMeta {
  /** Bytes per page, a power of two. */
  pageSize: number;
  /** N, when the file or the user declares it; otherwise the highest declared cpu + 1. */
  vcpus?: number;
  /** Blocktime start for the `atomic` clock; otherwise the time of the first row. */
  startNs?: bigint;
  /** What produced the trace (`{"kind":"sim",...}`), parsed from JSON. */
  source?: Record<string, unknown>;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}
