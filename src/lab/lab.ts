/**
 * `blocktime lab`: short native captures over a matrix of vCPUs x resolve
 * threads x request latency, each cell run three times on the same settings,
 * with accounting off, with the locking design, and with the atomic-op
 * design. Per run: the fault round trip the vCPUs saw, the cost of each
 * accounting call, the page-request mutex's hold time and contention, and
 * how the live result compares with the replay of the run's own trace.
 */
import { loadNativeAddon, type AccountingMode, type NativeResult } from '../capture/native/addon.js';
import { costSummary, lockSummary, mutexMismatches, type LockFigures } from '../capture/native/live-report.js';
import { validateNativeOptions, type NativeOptions, type NativePattern } from '../capture/native/options.js';
import { runSession } from '../capture/native/session.js';
import { UsageError } from '../errors.js';
import { replayBatches } from '../replay/engine.js';
import type { AnalysisResult } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';

export const LAB_MODES = ['off', 'locking', 'atomic'] as const satisfies readonly AccountingMode[];
export type LabMode = (typeof LAB_MODES)[number];

export interface LabOptions {
  vcpus: number[];
  resolvers: number[];
  latencyNs: number[];
  durationNs: number;
  /** Each cell's three modes run this many times, interleaved; the table shows medians. */
  repeat: number;
  memoryBytes: number;
  bandwidth: number;
  thinkNs: number;
  pattern: NativePattern;
  seed: number;
}

/** About 20 s on two cores: 8 cells x 3 modes x 2 repeats x 0.3 s, plus the replays. */
export const LAB_DEFAULTS: Readonly<LabOptions> = {
  vcpus: [2, 4],
  resolvers: [1, 2],
  latencyNs: [0, 200_000],
  durationNs: 300e6,
  repeat: 2,
  memoryBytes: 64 * 2 ** 20,
  bandwidth: 50 * 2 ** 20,
  thinkNs: 50_000,
  pattern: 'random',
  seed: 1,
};

export interface LabRun {
  mode: LabMode;
  events: { fault: number; resolve: number };
  /** Stalls as the vCPU threads timed them: the fault round trip. */
  round_trip: { count: number; mean_ns: number; p50_ns: number; p99_ns: number; max_ns: number };
  /** ns per call into the running design (off: the same clock readings around an empty call). */
  cost: { fault_p50_ns: number; fault_mean_ns: number; resolve_p50_ns: number; resolve_mean_ns: number };
  lock: { fault: LockFigures; resolve: LockFigures };
  /** Sum over vCPUs of blocktime: what the vCPU threads timed, and what `exact` replays from the trace. */
  blocktime: { true_vcpu_sum_ns: number; exact_vcpu_sum_ns: number };
  /** The design that ran live against the replay of this run's trace, and against `exact` and the truth. */
  accuracy: LabAccuracy | null;
}

export interface LabAccuracy {
  /** Locking: fields where live and replay differ (must be 0). Atomic: vCPUs whose live blocktime differs from the replay. */
  mismatches: number;
  live_total_ns: number;
  replay_total_ns: number;
  /** Sum over vCPUs of |live - replay|. */
  vcpu_abs_diff_ns: number;
  /** Sum of the design's live per-vCPU blocktime. */
  live_vcpu_sum_ns: number;
}

/** Medians over a cell's repeats of one mode. */
export interface LabSummary {
  faults: number;
  round_trip_p50_ns: number;
  round_trip_mean_ns: number;
  round_trip_p99_ns: number;
  fault_call_p50_ns: number;
  resolve_call_p50_ns: number;
  fault_hold_p50_ns: number;
  contended_fraction: number;
  /** Per-vCPU blocktime as a fraction of the true one: the live design's (off: exact's). */
  share_of_true: number;
}

export interface LabCell {
  vcpus: number;
  resolvers: number;
  latency_ns: number;
  runs: Record<LabMode, LabRun[]>;
  summary: Record<LabMode, LabSummary>;
  /** Median fault round trip with the design on, relative to off, in percent (measured; noisy on a shared machine). */
  overhead_pct: { locking: number; atomic: number };
  /** The design's own median fault-path call (net of the empty call) over the median round trip with accounting off, in percent. */
  fault_path_cost_pct: { locking: number; atomic: number };
  /** Locking runs whose live result equals the replay, field by field, out of `repeat`. */
  locking_equal: number;
  /** Atomic runs: sum over runs of |live total - replay total| and of sum|live vCPU - replay vCPU|. */
  atomic_vs_replay: { total_abs_diff_ns: number; vcpu_abs_diff_ns: number };
}

/** The matrix as run, under the JSON names. */
export interface LabSettings {
  vcpus: number[];
  resolvers: number[];
  latency_ns: number[];
  duration_ns: number;
  repeat: number;
  memory_bytes: number;
  bandwidth: number;
  think_ns: number;
  pattern: NativePattern;
  seed: number;
}

export interface LabResult {
  settings: LabSettings;
  cells: LabCell[];
  elapsed_s: number;
}

function settingsOf(o: LabOptions): LabSettings {
  return {
    vcpus: o.vcpus,
    resolvers: o.resolvers,
    latency_ns: o.latencyNs,
    duration_ns: o.durationNs,
    repeat: o.repeat,
    memory_bytes: o.memoryBytes,
    bandwidth: o.bandwidth,
    think_ns: o.thinkNs,
    pattern: o.pattern,
    seed: o.seed,
  };
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function accuracyOf(mode: LabMode, live: NativeResult, replay: Record<'mutex' | 'atomic' | 'exact', AnalysisResult>): LabAccuracy | null {
  if (mode === 'off') return null;
  if (mode === 'locking') {
    const r = replay.mutex;
    return {
      mismatches: mutexMismatches(live.mutex, r).length,
      live_total_ns: live.mutex.totalNs,
      replay_total_ns: r.total_blocktime_ns,
      vcpu_abs_diff_ns: sum(live.mutex.vcpuBlockedNs.map((v, i) => Math.abs(v - r.vcpu_blocktime_ns[i]!))),
      live_vcpu_sum_ns: sum(live.mutex.vcpuBlockedNs),
    };
  }
  const r = replay.atomic;
  const liveNs = live.atomic.vcpuBlockedMs.map((ms) => ms * 1e6);
  return {
    mismatches: liveNs.filter((v, i) => v !== r.vcpu_blocktime_ns[i]).length,
    live_total_ns: live.atomic.totalMs * 1e6,
    replay_total_ns: r.total_blocktime_ns,
    vcpu_abs_diff_ns: sum(liveNs.map((v, i) => Math.abs(v - r.vcpu_blocktime_ns[i]!))),
    live_vcpu_sum_ns: sum(liveNs),
  };
}

async function runOne(options: NativeOptions, signal: AbortSignal | undefined): Promise<LabRun> {
  const addon = loadNativeAddon();
  const batches: TraceBatch[] = [];
  const run = await runSession(addon, options, async () => ({ write: async (b) => void batches.push(b) }), signal ? { signal } : {});
  const outcome = await replayBatches(run.meta, batches, ['mutex', 'atomic', 'exact']);
  const replay = { mutex: outcome.results.mutex!, atomic: outcome.results.atomic!, exact: outcome.results.exact! };
  const live = run.live;
  const cost = costSummary(live);
  const lock = lockSummary(live);
  const mode = options.accounting as LabMode;
  const atomic = mode === 'atomic';
  const lat = live.truth.latency;
  return {
    mode,
    events: { fault: live.faultRows, resolve: live.resolveRows },
    round_trip: { count: lat.count, mean_ns: lat.meanNs, p50_ns: lat.p50Ns, p99_ns: lat.p99Ns, max_ns: lat.maxNs },
    cost: {
      fault_p50_ns: atomic ? cost.fault_path.atomic_p50_ns : cost.fault_path.locking_p50_ns,
      fault_mean_ns: atomic ? cost.fault_path.atomic_mean_ns : cost.fault_path.locking_mean_ns,
      resolve_p50_ns: atomic ? cost.resolve_path.atomic_p50_ns : cost.resolve_path.locking_p50_ns,
      resolve_mean_ns: atomic ? cost.resolve_path.atomic_mean_ns : cost.resolve_path.locking_mean_ns,
    },
    lock: { fault: lock.fault_path, resolve: lock.resolve_path },
    blocktime: { true_vcpu_sum_ns: sum(live.truth.vcpuBlockedNs), exact_vcpu_sum_ns: sum(replay.exact.vcpu_blocktime_ns) },
    accuracy: accuracyOf(mode, live, replay),
  };
}

function pct(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

function summarize(runs: readonly LabRun[]): LabSummary {
  const m = (f: (r: LabRun) => number): number => median(runs.map(f));
  return {
    faults: m((r) => r.events.fault),
    round_trip_p50_ns: m((r) => r.round_trip.p50_ns),
    round_trip_mean_ns: m((r) => r.round_trip.mean_ns),
    round_trip_p99_ns: m((r) => r.round_trip.p99_ns),
    fault_call_p50_ns: m((r) => r.cost.fault_p50_ns),
    resolve_call_p50_ns: m((r) => r.cost.resolve_p50_ns),
    fault_hold_p50_ns: m((r) => r.lock.fault.hold_p50_ns),
    share_of_true: m((r) => (r.accuracy?.live_vcpu_sum_ns ?? r.blocktime.exact_vcpu_sum_ns) / Math.max(1, r.blocktime.true_vcpu_sum_ns)),
    contended_fraction: m((r) => (r.lock.fault.contended + r.lock.resolve.contended) / Math.max(1, r.lock.fault.acquisitions + r.lock.resolve.acquisitions)),
  };
}

function cellOf(vcpus: number, resolvers: number, latency_ns: number, runs: Record<LabMode, LabRun[]>): LabCell {
  const summary = { off: summarize(runs.off), locking: summarize(runs.locking), atomic: summarize(runs.atomic) };
  const off = summary.off.round_trip_p50_ns;
  const emptyCall = summary.off.fault_call_p50_ns;
  return {
    vcpus,
    resolvers,
    latency_ns,
    runs,
    summary,
    overhead_pct: {
      locking: pct(summary.locking.round_trip_p50_ns - off, off),
      atomic: pct(summary.atomic.round_trip_p50_ns - off, off),
    },
    fault_path_cost_pct: {
      locking: pct(summary.locking.fault_call_p50_ns - emptyCall, off),
      atomic: pct(summary.atomic.fault_call_p50_ns - emptyCall, off),
    },
    locking_equal: runs.locking.filter((r) => r.accuracy?.mismatches === 0).length,
    atomic_vs_replay: {
      total_abs_diff_ns: sum(runs.atomic.map((r) => Math.abs(r.accuracy!.live_total_ns - r.accuracy!.replay_total_ns))),
      vcpu_abs_diff_ns: sum(runs.atomic.map((r) => r.accuracy!.vcpu_abs_diff_ns)),
    },
  };
}

export interface LabProgress {
  done: number;
  total: number;
}

export async function runLab(options: LabOptions, opts: { signal?: AbortSignal; onProgress?(p: LabProgress): void } = {}): Promise<LabResult> {
  const started = performance.now();
  const settings = (vcpus: number, resolvers: number, latencyNs: number, accounting: LabMode): NativeOptions => ({
    vcpus,
    resolvers,
    latencyNs,
    accounting,
    memoryBytes: options.memoryBytes,
    bandwidth: options.bandwidth,
    thinkNs: options.thinkNs,
    durationNs: options.durationNs,
    pattern: options.pattern,
    seed: options.seed,
  });
  if (!Number.isInteger(options.repeat) || options.repeat < 1) throw new UsageError(`--repeat: ${options.repeat}: expected a whole number >= 1`);
  for (const v of options.vcpus) for (const r of options.resolvers) for (const l of options.latencyNs) validateNativeOptions(settings(v, r, l, 'off'));
  loadNativeAddon();
  const total = options.vcpus.length * options.resolvers.length * options.latencyNs.length * LAB_MODES.length * options.repeat;
  const cells: LabCell[] = [];
  let done = 0;
  const elapsed = (): number => (performance.now() - started) / 1e3;
  for (const vcpus of options.vcpus) {
    for (const resolvers of options.resolvers) {
      for (const latencyNs of options.latencyNs) {
        const runs: Record<LabMode, LabRun[]> = { off: [], locking: [], atomic: [] };
        // Modes interleaved, so that a burst of load elsewhere on the machine hits all three alike.
        for (let k = 0; k < options.repeat; k++) {
          for (const mode of LAB_MODES) {
            if (opts.signal?.aborted) return { settings: settingsOf(options), cells, elapsed_s: elapsed() };
            opts.onProgress?.({ done, total });
            runs[mode].push(await runOne(settings(vcpus, resolvers, latencyNs, mode), opts.signal));
            done++;
          }
        }
        cells.push(cellOf(vcpus, resolvers, latencyNs, runs));
      }
    }
  }
  return { settings: settingsOf(options), cells, elapsed_s: elapsed() };
}
