/**
 * How much of the machine a trace database may take. DuckDB's own default
 * memory limit is 80% of RAM: a 100M-event trace then grows the process to
 * 10 GB. Instead DuckDB gets a quarter of RAM and at most 1 GiB, less as the
 * trace grows, and spills the rest to its temporary directory; and a trace
 * too large to sit in that comfortably lives in a database file in the spill
 * directory (compressed, so about a third of its size in memory), removed
 * with it.
 *
 * Less as the trace grows: the limit bounds DuckDB's buffers (tables,
 * sorts, hash tables), not all it allocates. A holistic aggregate keeps
 * every value it sees outside it (`quantile_disc(latency_ns, 0.99)` over the
 * faults of a 100M-event trace: 1 GB), so the buffers give way to it: with
 * a quarter of the trace file's size taken off, a per-vCPU p99 over 100M
 * events peaks at 1.8 GB instead of 2.3 GB, and builds as fast.
 */
import { availableParallelism, totalmem } from 'node:os';

const MiB = 2 ** 20;
/** The most memory DuckDB is given, whatever the machine: enough for the sorts and hashes of a 100M-event trace to spill in large runs. */
export const MEMORY_CAP = 1024 * MiB;
/** The least, on a small machine. */
const MEMORY_FLOOR = 128 * MiB;
/** The least a large trace leaves DuckDB (before the machine's own floor). */
const LARGE_TRACE_FLOOR = 384 * MiB;
/** Memory limit given up per byte of the trace file, for what DuckDB allocates outside its limit. */
const HEADROOM_PER_TRACE_BYTE = 1 / 4;
/** Memory per DuckDB thread below which more threads only make each one spill sooner. */
const MEMORY_PER_THREAD = 128 * MiB;
/**
 * Trace bytes per byte of memory limit above which the database goes to a
 * file: an in-memory table takes about 1.5 bytes for each byte of an Arrow
 * trace (`events`), and the derived tables as much again.
 */
const IN_MEMORY_TRACE_SHARE = 1 / 4;

export interface Machine {
  totalMemory: number;
  cpus: number;
}

export interface DatabaseLimits {
  /** Bytes DuckDB may hold in memory (`memory_limit`). */
  memoryBytes: number;
  /** DuckDB's worker threads (`threads`). */
  threads: number;
}

export function thisMachine(): Machine {
  return { totalMemory: totalmem(), cpus: availableParallelism() };
}

/** `traceBytes`: the trace file's size, when known. */
export function databaseLimits(machine: Machine = thisMachine(), traceBytes?: number): DatabaseLimits {
  const machineBytes = Math.max(MEMORY_FLOOR, Math.min(MEMORY_CAP, Math.floor(machine.totalMemory / 4 / MiB) * MiB));
  const headroom = Math.floor(((traceBytes ?? 0) * HEADROOM_PER_TRACE_BYTE) / MiB) * MiB;
  const memoryBytes = Math.min(machineBytes, Math.max(LARGE_TRACE_FLOOR, machineBytes - headroom));
  const threads = Math.max(1, Math.min(machine.cpus, Math.floor(memoryBytes / MEMORY_PER_THREAD)));
  return { memoryBytes, threads };
}

/** DuckDB's configuration for `limits`. */
export function limitSettings(limits: DatabaseLimits): Record<string, string> {
  return { memory_limit: `${limits.memoryBytes / MiB}MiB`, threads: String(limits.threads) };
}

/**
 * Whether a trace of `traceBytes` (undefined: not a regular file, so of
 * unknown size) is loaded into a file rather than into memory.
 */
export function loadsOnDisk(traceBytes: number | undefined, limits: DatabaseLimits): boolean {
  return traceBytes === undefined || traceBytes > limits.memoryBytes * IN_MEMORY_TRACE_SHARE;
}
