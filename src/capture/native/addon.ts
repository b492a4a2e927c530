/**
 * The TypeScript face of the native addon: its types, and loading it. The
 * addon is optional; where it is missing or cannot run, `loadNativeAddon`
 * throws an `UnavailableError` (exit 2) that says why in one line.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from '../../errors.js';

/** Accounting designs run live, as a bit set (matches BT_ACCOUNT_* in bt.h). */
export const Accounting = { off: 0, locking: 1, atomic: 2, both: 3 } as const;
export type AccountingMode = keyof typeof Accounting;

/** Where the call and hold histograms end (BT_HIST_BUCKETS * BT_HIST_NS in bt.h): their last bucket holds everything beyond. */
export const HIST_CAP_NS = 8192;

/** Pattern codes (BT_PATTERN_* in bt.h). */
export const PATTERN_CODES = { seq: 0, random: 1, hotset: 2 } as const;

export interface NativeConfig {
  memoryBytes: number;
  vcpus: number;
  resolvers: number;
  pattern: number;
  accounting: number;
  latencyNs: number;
  thinkNs: number;
  durationNs: number;
  bandwidth: number;
  seed: number;
  ringLog2: number;
}

/** What one side of the page-request mutex measured (the fault thread, or all resolve threads). */
export interface PathStats {
  acquisitions: number;
  contended: number;
  waitNs: number;
  holdNs: number;
  holdMaxNs: number;
  /** Calls into the locking design (or, with it off, into nothing, timed the same way). */
  lockingCalls: number;
  lockingNs: number;
  atomicCalls: number;
  atomicNs: number;
  /** Percentiles from 4 ns buckets (bucket midpoints; HIST_CAP_NS means "that or more"). */
  lockingP50Ns: number;
  lockingP99Ns: number;
  atomicP50Ns: number;
  atomicP99Ns: number;
  holdP50Ns: number;
  holdP99Ns: number;
}

export interface LiveMutex {
  vcpuBlockedNs: number[];
  vcpuFaults: number[];
  totalNs: number;
  nonVcpuFaults: number;
  nonVcpuNs: number;
  buckets: number[];
  counted: number;
  noTid: number;
  alreadyReceived: number;
  unresolved: number;
  negativeDuration: number;
  over255: number;
}

export interface LiveAtomic {
  vcpuBlockedMs: number[];
  totalMs: number;
  overwritten: number;
  erased: number;
  lostBlockedVcpu: number;
  ignoredNonVcpu: number;
}

export interface LiveTruth {
  vcpuBlockedNs: number[];
  vcpuStalls: number[];
  /** Time during which every vCPU thread stood in a faulting access. */
  allDownNs: number;
  /** Durations of the stalls: the fault round trip as the vCPU sees it. */
  latency: { count: number; meanNs: number; p50Ns: number; p99Ns: number; maxNs: number };
}

export interface NativeResult {
  startNs: bigint;
  endNs: bigint;
  /** Something went wrong inside (a failed UFFDIO_COPY); the capture still shut down cleanly. */
  error: string | null;
  faultRows: number;
  resolveRows: number;
  ringFullWaits: number;
  placedRequested: number;
  placedStreamed: number;
  tids: number[];
  mutex: LiveMutex;
  atomic: LiveAtomic;
  truth: LiveTruth;
  faultPath: PathStats;
  resolvePath: PathStats;
}

declare const sessionBrand: unique symbol;
export type SessionHandle = { readonly [sessionBrand]: true };

export interface NativeAddon {
  /** null when userfaultfd with thread ids works here, else why not. */
  probe(): string | null;
  start(config: NativeConfig): { handle: SessionHandle; startNs: bigint; tids: number[] };
  drain(h: SessionHandle, t: BigInt64Array, kind: Uint8Array, tid: Uint32Array, addr: BigUint64Array, cpu: Int32Array, offset: number): number;
  stop(h: SessionHandle): void;
  done(h: SessionHandle): boolean;
  result(h: SessionHandle): NativeResult;
  /** Stops if needed, waits for the shutdown, frees; the handle is dead afterwards. */
  release(h: SessionHandle): void;
}

/** The environment variable that turns native capture off (`BLOCKTIME_NATIVE=off`), as on a machine without it. */
export const NATIVE_ENV = 'BLOCKTIME_NATIVE';

const ADDON_PATH = fileURLToPath(new URL('../../../build/Release/blocktime_native.node', import.meta.url));

let cached: NativeAddon | undefined;

/** The addon, ready to capture; otherwise an UnavailableError with the reason. */
export function loadNativeAddon(): NativeAddon {
  if (process.env[NATIVE_ENV] === 'off') {
    throw new UnavailableError(`native capture is unavailable: turned off by ${NATIVE_ENV}=off`);
  }
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new UnavailableError(`native capture is unavailable: it needs Linux (userfaultfd), this is ${process.platform}`);
  }
  const path = ADDON_PATH;
  if (!existsSync(path)) {
    throw new UnavailableError(
      'native capture is unavailable: the addon was not built (npm install builds it on Linux with a C compiler; see build/native-build.log)',
    );
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    throw new UnavailableError(`native capture is unavailable: cannot load ${path}: ${(err as Error).message}`);
  }
  const reason = addon.probe();
  if (reason !== null) throw new UnavailableError(`native capture is unavailable: ${reason}`);
  cached = addon;
  return addon;
}
