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
  memoryBytes: number;
  bandwidth: number;
  thinkNs: number;
  pattern: NativePattern;
  seed: number;
}

/** About 15 s on two cores: 8 cells x 3 modes x 0.5 s, plus the replays. */
export const LAB_DEFAULTS: Readonly<LabOptions> = {
  vcpus: [2, 4],
  resolvers: [1, 2],
  latencyNs: [0, 200_000],
  durationNs: 500e6,
  memoryBytes: 64 * 2 ** 20,
  bandwidth: 50 * 2 ** 20,
  thinkNs: 50_000,
  pattern: 'random',
  seed: 1,
};

export interface LabRun {
  mode: LabMode;
  events: { fault: number; resolve: number };
  /** Stalls as the vCPU threads timed them. */
  round_trip: { count: number; mean_ns: number; p50_ns: number; p99_ns: number; max_ns: number };
  /** Mean ns per accounting call, on each path; with accounting off, the timing of an empty call. */
  cost_ns: { fault: number; resolve: number };
  lock: LockFigures;
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
  /** Sum of per-vCPU blocktime: live design, exact replay, ground truth. */
  live_vcpu_sum_ns: number;
  exact_vcpu_sum_ns: number;
  true_vcpu_sum_ns: number;
}

export interface LabCell {
  vcpus: number;
  resolvers: number;
  latency_ns: number;
  runs: Record<LabMode, LabRun>;
  /** Fault round-trip mean with the design on, relative to off, in percent (measured; noisy on a shared machine). */
  overhead_pct: { locking: number; atomic: number };
  /** The design's own fault-path cost per fault (net of the empty call) over the mean round trip, in percent. */
  fault_path_cost_pct: { locking: number; atomic: number };
}

export interface LabResult {
  options: LabOptions;
  cells: LabCell[];
  elapsed_s: number;
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

function accuracyOf(mode: LabMode, live: NativeResult, replay: Record<'mutex' | 'atomic' | 'exact', AnalysisResult>): LabAccuracy | null {
  if (mode === 'off') return null;
  const truthSum = sum(live.truth.vcpuBlockedNs);
  const exactSum = sum(replay.exact.vcpu_blocktime_ns);
  if (mode === 'locking') {
    const r = replay.mutex;
    return {
      mismatches: mutexMismatches(live.mutex, r).length,
      live_total_ns: live.mutex.totalNs,
      replay_total_ns: r.total_blocktime_ns,
      vcpu_abs_diff_ns: sum(live.mutex.vcpuBlockedNs.map((v, i) => Math.abs(v - r.vcpu_blocktime_ns[i]!))),
      live_vcpu_sum_ns: sum(live.mutex.vcpuBlockedNs),
      exact_vcpu_sum_ns: exactSum,
      true_vcpu_sum_ns: truthSum,
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
    exact_vcpu_sum_ns: exactSum,
    true_vcpu_sum_ns: truthSum,
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
  const mode = options.accounting as LabMode;
  const pick = (p: { locking_ns_per_call: number; atomic_ns_per_call: number }): number =>
    mode === 'atomic' ? p.atomic_ns_per_call : p.locking_ns_per_call;
  const lat = live.truth.latency;
  return {
    mode,
    events: { fault: live.faultRows, resolve: live.resolveRows },
    round_trip: { count: lat.count, mean_ns: lat.meanNs, p50_ns: lat.p50Ns, p99_ns: lat.p99Ns, max_ns: lat.maxNs },
    cost_ns: { fault: pick(cost.fault_path), resolve: pick(cost.resolve_path) },
    lock: lockSummary(live).all,
    accuracy: accuracyOf(mode, live, replay),
  };
}

function pct(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

export interface LabProgress {
  done: number;
  total: number;
  label: string;
}

export async function runLab(options: LabOptions, opts: { signal?: AbortSignal; onProgress?(p: LabProgress): void } = {}): Promise<LabResult> {
  const started = performance.now();
  const base = (vcpus: number, resolvers: number, latencyNs: number, accounting: LabMode): NativeOptions => ({
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
  const total = options.vcpus.length * options.resolvers.length * options.latencyNs.length * LAB_MODES.length;
  for (const v of options.vcpus) for (const r of options.resolvers) for (const l of options.latencyNs) validateNativeOptions(base(v, r, l, 'off'));
  loadNativeAddon();
  const cells: LabCell[] = [];
  let done = 0;
  for (const vcpus of options.vcpus) {
    for (const resolvers of options.resolvers) {
      for (const latencyNs of options.latencyNs) {
        const runs = {} as Record<LabMode, LabRun>;
        for (const mode of LAB_MODES) {
          if (opts.signal?.aborted) return { options, cells, elapsed_s: (performance.now() - started) / 1e3 };
          opts.onProgress?.({ done, total, label: `${vcpus} vCPUs, ${resolvers} resolvers, latency ${latencyNs} ns, ${mode}` });
          runs[mode] = await runOne(base(vcpus, resolvers, latencyNs, mode), opts.signal);
          done++;
        }
        const off = runs.off.round_trip.mean_ns;
        cells.push({
          vcpus,
          resolvers,
          latency_ns: latencyNs,
          runs,
          overhead_pct: {
            locking: pct(runs.locking.round_trip.mean_ns - off, off),
            atomic: pct(runs.atomic.round_trip.mean_ns - off, off),
          },
          fault_path_cost_pct: {
            locking: pct(runs.locking.cost_ns.fault - runs.off.cost_ns.fault, off),
            atomic: pct(runs.atomic.cost_ns.fault - runs.off.cost_ns.fault, off),
          },
        });
      }
    }
  }
  opts.onProgress?.({ done, total, label: 'done' });
  return { options, cells, elapsed_s: (performance.now() - started) / 1e3 };
}
