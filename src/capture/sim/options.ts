/**
 * What the simulator can be asked for, with defaults that give a realistic
 * mix: an 8-vCPU guest touching memory at random during one simulated second
 * of postcopy, 200 us page requests, a 100 MiB/s background stream, and the
 * irregularities real QEMU logs show (docs/qemu-logs.md#what-real-logs-show:
 * a vCPU faults again before its previous resolve is accounted for a third of
 * all faults).
 */
import { UsageError } from '../../errors.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_PAGE_SIZE, MAX_VCPUS, isPowerOfTwo } from '../../trace/schema.js';

export type AccessPattern = 'seq' | 'random' | 'hotset';
export const ACCESS_PATTERNS: readonly AccessPattern[] = ['seq', 'random', 'hotset'];

export interface SimOptions {
  /** PRNG seed (uint32). Same options and seed: the same trace, row for row. */
  seed: number;
  /** vCPU threads. */
  vcpus: number;
  /** Simulated time after which threads stop touching new pages, ns. Ignored when `faults` is set. */
  durationNs: number;
  /** Stop after exactly this many `fault` rows (fewer only if all guest memory has been placed first). */
  faults?: number;
  /** Guest memory, bytes (a multiple of `pageSize`). */
  memoryBytes: number;
  pageSize: number;
  /** Which pages the guest touches: one shared ascending cursor, uniform, or 80% in a hot 1/16 of memory. */
  pattern: AccessPattern;
  /** Median page-request latency (fault handled to page placed), ns. */
  latencyNs: number;
  /** Sigma of the lognormal request latency (0: every request takes exactly `latencyNs`). */
  latencySpread: number;
  /** Mean guest run time of a vCPU between two faults (exponential), ns. */
  thinkNs: number;
  /** Background placement stream (pages nobody asked for), bytes/s; 0 for none. */
  bandwidth: number;
  /** Fraction of counted vCPU faults after whose placement the vCPU faults again before the resolve is accounted. */
  reentrant: number;
  /** Fraction of those re-entrant cases where the first page's resolve is accounted after the second page's. */
  lateResolve: number;
  /** Fraction of faults duplicated: another thread faults on the same pending page, or the same thread faults on it again (a signal interrupted its wait). */
  duplicate: number;
  /** Fraction of faults whose page the background stream places after the fault and before the fault thread handles it. */
  received: number;
  /** Approximate fraction of faults taken by threads that are not vCPUs (I/O threads, KVM async page-fault workers). */
  nonVcpu: number;
  /** How many such threads. */
  nonVcpuThreads: number;
  /** Fraction of faults recorded without a thread id (tid 0). */
  tid0: number;
  /** Timestamps are floored to this resolution, ns (1: exact; 1000000 gives a millisecond clock). */
  clockResolutionNs: number;
  /** Rows per yielded batch. */
  batchRows: number;
}

export const SIM_DEFAULTS: Readonly<SimOptions> = {
  seed: 1,
  vcpus: 8,
  durationNs: 1e9,
  memoryBytes: 4 * 2 ** 30,
  pageSize: DEFAULT_PAGE_SIZE,
  pattern: 'random',
  latencyNs: 200_000,
  latencySpread: 0.5,
  thinkNs: 50_000,
  bandwidth: 100 * 2 ** 20,
  reentrant: 0.3,
  lateResolve: 0.1,
  duplicate: 0.01,
  received: 0.02,
  nonVcpu: 0.05,
  nonVcpuThreads: 2,
  tid0: 0.005,
  clockResolutionNs: 1,
  batchRows: DEFAULT_BATCH_ROWS,
};

/** Each option's name on the command line (`blocktime capture --sim`), which error messages use. */
export const SIM_OPTION_FLAGS: Readonly<Record<keyof SimOptions, string>> = {
  seed: '--seed',
  vcpus: '--vcpus',
  durationNs: '--duration',
  faults: '--faults',
  memoryBytes: '--memory',
  pageSize: '--page-size',
  pattern: '--pattern',
  latencyNs: '--latency',
  latencySpread: '--latency-spread',
  thinkNs: '--think',
  bandwidth: '--bandwidth',
  reentrant: '--reentrant',
  lateResolve: '--late-resolve',
  duplicate: '--duplicate',
  received: '--received',
  nonVcpu: '--non-vcpu',
  nonVcpuThreads: '--non-vcpu-threads',
  tid0: '--tid0',
  clockResolutionNs: '--clock-resolution',
  batchRows: '--batch-rows',
};

/** Guest memory is addressed by a 32-bit page index in the simulator's tables. */
const MAX_PAGES = 2 ** 32 - 1;

/**
 * Fills in defaults (under `preset`, a scenario's options, when given) and
 * rejects values the simulation cannot honor, naming the option.
 */
export function resolveSimOptions(partial: Partial<SimOptions> = {}, preset: Partial<SimOptions> = {}): SimOptions {
  const o: SimOptions = { ...SIM_DEFAULTS };
  const known = new Set<string>([...Object.keys(SIM_DEFAULTS), 'faults']);
  for (const layer of [preset, partial]) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined && known.has(k)) (o as unknown as Record<string, unknown>)[k] = v;
  }
  const int = (name: keyof SimOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = o[name] as number;
    if (!Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`${SIM_OPTION_FLAGS[name]}: expected a whole number from ${min} to ${max}, got ${v}`);
  };
  const frac = (name: keyof SimOptions): void => {
    const v = o[name] as number;
    if (!(v >= 0 && v <= 1)) throw new UsageError(`${SIM_OPTION_FLAGS[name]}: expected a fraction from 0 to 1, got ${v}`);
  };
  int('seed', 0, 2 ** 32 - 1);
  int('vcpus', 1, MAX_VCPUS);
  int('durationNs', 1);
  if (o.faults !== undefined) int('faults', 0);
  if (!isPowerOfTwo(o.pageSize) || o.pageSize < 512) throw new UsageError(`--page-size: expected a power of two >= 512, got ${o.pageSize}`);
  int('memoryBytes', o.pageSize);
  if (o.memoryBytes % o.pageSize !== 0) throw new UsageError(`--memory: expected a multiple of the page size ${o.pageSize}, got ${o.memoryBytes} bytes`);
  if (o.memoryBytes / o.pageSize > MAX_PAGES) throw new UsageError(`--memory: at most ${MAX_PAGES} pages, got ${o.memoryBytes / o.pageSize}`);
  if (!ACCESS_PATTERNS.includes(o.pattern)) throw new UsageError(`--pattern: expected one of ${ACCESS_PATTERNS.join(', ')}, got ${String(o.pattern)}`);
  int('latencyNs', 1000);
  if (!(o.latencySpread >= 0 && o.latencySpread <= 4)) throw new UsageError(`--latency-spread: expected a sigma from 0 to 4, got ${o.latencySpread}`);
  int('thinkNs', 0);
  if (!(o.bandwidth >= 0 && Number.isFinite(o.bandwidth))) throw new UsageError(`--bandwidth: expected bytes/s >= 0, got ${o.bandwidth}`);
  for (const f of ['reentrant', 'lateResolve', 'duplicate', 'received', 'tid0'] as const) frac(f);
  if (!(o.nonVcpu >= 0 && o.nonVcpu < 1)) throw new UsageError(`--non-vcpu: expected a fraction from 0 to below 1, got ${o.nonVcpu}`);
  int('nonVcpuThreads', o.nonVcpu > 0 ? 1 : 0, 4096);
  int('clockResolutionNs', 1, 1e9);
  int('batchRows', 1, 1 << 24);
  return o;
}
