/**
 * What a native capture can be asked for. Defaults suit a two-core machine:
 * four vCPU threads touching 256 MiB at random for two seconds, 200 us page
 * requests, a 100 MiB/s background stream (the simulator's figures).
 */
import { release } from 'node:os';
import { UsageError } from '../../errors.js';
import { DEFAULT_PAGE_SIZE } from '../../trace/schema.js';
import { Accounting, PATTERN_CODES, type AccountingMode, type NativeConfig } from './addon.js';

export type NativePattern = keyof typeof PATTERN_CODES;
export const NATIVE_PATTERNS = Object.keys(PATTERN_CODES) as NativePattern[];

export interface NativeOptions {
  /** vCPU threads. */
  vcpus: number;
  /** Resolve threads placing pages. */
  resolvers: number;
  /** The userfaultfd region, bytes (a multiple of 4096). */
  memoryBytes: number;
  pattern: NativePattern;
  /** From the fault thread's request to the placement of the page, ns. */
  latencyNs: number;
  /** Background stream of unrequested pages, bytes/s (0: none). */
  bandwidth: number;
  /** A vCPU's pause between two accesses, ns (0: none; the threads then spin). */
  thinkNs: number;
  durationNs: number;
  /** Seeds the random and hotset patterns. */
  seed: number;
  /** Which accounting designs run live. */
  accounting: AccountingMode;
}

export const NATIVE_DEFAULTS: Readonly<NativeOptions> = {
  vcpus: 4,
  resolvers: 1,
  memoryBytes: 256 * 2 ** 20,
  pattern: 'random',
  latencyNs: 200_000,
  bandwidth: 100 * 2 ** 20,
  thinkNs: 50_000,
  durationNs: 2e9,
  seed: 1,
  accounting: 'both',
};

/** Events the ring holds before the producers wait for the JS side (2^20). */
const RING_LOG2 = 20;

function check(ok: boolean, option: string, what: string): void {
  if (!ok) throw new UsageError(`${option}: ${what}`);
}

/** Range checks the C side relies on. */
export function validateNativeOptions(o: NativeOptions): void {
  check(Number.isInteger(o.vcpus) && o.vcpus >= 1 && o.vcpus <= 512, '--vcpus', `${o.vcpus}: expected 1 to 512 threads`);
  check(Number.isInteger(o.resolvers) && o.resolvers >= 1 && o.resolvers <= 64, '--resolvers', `${o.resolvers}: expected 1 to 64 threads`);
  check(
    o.memoryBytes >= DEFAULT_PAGE_SIZE && o.memoryBytes % DEFAULT_PAGE_SIZE === 0 && o.memoryBytes <= 64 * 2 ** 30,
    '--memory',
    `${o.memoryBytes}: expected a multiple of ${DEFAULT_PAGE_SIZE} bytes, at most 64G`,
  );
  check(NATIVE_PATTERNS.includes(o.pattern), '--pattern', `${o.pattern}: expected ${NATIVE_PATTERNS.join(', ')}`);
  check(o.latencyNs >= 0 && o.latencyNs <= 10e9, '--latency', 'expected 0 to 10s');
  check(o.thinkNs >= 0 && o.thinkNs <= 1e9, '--think', 'expected 0 to 1s');
  check(o.durationNs > 0 && o.durationNs <= 24 * 3600e9, '--duration', 'expected more than 0 and at most 24h');
  check(o.bandwidth >= 0, '--bandwidth', 'expected a rate >= 0');
  check(Number.isSafeInteger(o.seed) && o.seed >= 0, '--seed', `${o.seed}: expected a whole number >= 0`);
}

export function toNativeConfig(o: NativeOptions): NativeConfig {
  return {
    memoryBytes: o.memoryBytes,
    vcpus: o.vcpus,
    resolvers: o.resolvers,
    pattern: PATTERN_CODES[o.pattern],
    accounting: Accounting[o.accounting],
    latencyNs: o.latencyNs,
    thinkNs: o.thinkNs,
    durationNs: o.durationNs,
    bandwidth: o.bandwidth,
    seed: o.seed,
    ringLog2: RING_LOG2,
  };
}

/** `blocktime.source` of a native trace: the options, and the kernel it ran on. */
export function nativeSource(o: NativeOptions): Record<string, unknown> {
  return {
    kind: 'native',
    vcpus: o.vcpus,
    resolvers: o.resolvers,
    memory_bytes: o.memoryBytes,
    page_size: DEFAULT_PAGE_SIZE,
    pattern: o.pattern,
    latency_ns: o.latencyNs,
    bandwidth: o.bandwidth,
    think_ns: o.thinkNs,
    duration_ns: o.durationNs,
    seed: o.seed,
    accounting: o.accounting,
    kernel: release(),
  };
}
