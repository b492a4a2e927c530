/**
 * Puts a native capture's live figures next to the replay of its own trace:
 * ground truth, `exact`, and each QEMU design live and replayed. The locking
 * design ran inside the critical sections the trace records, so its live
 * state must equal the replay field by field; the atomic-op design ran
 * outside them, and its differences are the races, reported as found.
 */
import type { AnalysisResult } from '../../replay/result.js';
import type { NativeResult, PathStats } from './addon.js';

export interface VcpuRow {
  cpu: number;
  tid: number;
  /** Accesses that really stalled (the kernel sent a userfaultfd message for them). */
  stalls: number;
  true_ns: number;
  exact_ns: number;
  mutex_live_ns: number;
  mutex_replay_ns: number;
  atomic_live_ns: number;
  atomic_replay_ns: number;
}

export interface PathCost {
  calls: number;
  /** ns per call into the design; with accounting off, the same clock readings around an empty call. */
  locking_mean_ns: number;
  locking_p50_ns: number;
  locking_p99_ns: number;
  atomic_mean_ns: number;
  atomic_p50_ns: number;
  atomic_p99_ns: number;
}

export interface LockFigures {
  acquisitions: number;
  contended: number;
  contended_fraction: number;
  mean_wait_ns: number;
  mean_hold_ns: number;
  hold_p50_ns: number;
  hold_p99_ns: number;
  max_hold_ns: number;
}

export interface LiveComparison {
  vcpus: number;
  duration_ns: number;
  events: { vcpu: number; fault: number; resolve: number };
  placed: { requested: number; streamed: number };
  per_vcpu: VcpuRow[];
  /** Time every vCPU was down: truth, exact, and each design live and replayed. */
  total: Omit<VcpuRow, 'cpu' | 'tid' | 'stalls'>;
  /** The fault round trip as the vCPU thread timed it. */
  fault_latency: NativeResult['truth']['latency'];
  mutex_live_equals_replay: boolean;
  /** `field: live X, replay Y` for each difference (empty when equal). */
  mutex_mismatches: string[];
  atomic_live_minus_replay: {
    total_ns: number;
    vcpu_ns: number[];
    diagnostics: Record<'overwritten' | 'erased' | 'lost_blocked_vcpu' | 'ignored_non_vcpu', { live: number; replay: number }>;
  };
  cost: { fault_path: PathCost; resolve_path: PathCost };
  lock: { fault_path: LockFigures; resolve_path: LockFigures };
  ring_full_waits: number;
  error: string | null;
}

/** Every figure both the live locking design and the replay produce, with its name in the JSON contract. */
function mutexPairs(live: NativeResult['mutex'], r: AnalysisResult): Array<[string, number, number]> {
  const pairs: Array<[string, number, number]> = [
    ['total_blocktime_ns', live.totalNs, r.total_blocktime_ns],
    ['non_vcpu_faults', live.nonVcpuFaults, r.non_vcpu_faults],
    ['non_vcpu_blocktime_ns', live.nonVcpuNs, r.non_vcpu_blocktime_ns],
    ['faults.counted', live.counted, r.faults.counted],
    ['faults.no_tid', live.noTid, r.faults.no_tid],
    ['faults.already_received', live.alreadyReceived, r.faults.already_received],
    ['faults.unresolved', live.unresolved, r.faults.unresolved],
    ['anomalies.negative_duration', live.negativeDuration, r.anomalies.negative_duration],
    ['anomalies.over_255_outstanding', live.over255, r.anomalies.over_255_outstanding],
  ];
  const arrays: Array<[string, number[], number[]]> = [
    ['vcpu_blocktime_ns', live.vcpuBlockedNs, r.vcpu_blocktime_ns],
    ['vcpu_faults', live.vcpuFaults, r.vcpu_faults],
    ['latency_buckets', live.buckets, r.latency_buckets],
  ];
  for (const [name, a, b] of arrays) {
    if (a.length !== b.length) pairs.push([`${name}.length`, a.length, b.length]);
    for (let i = 0; i < Math.max(a.length, b.length); i++) pairs.push([`${name}[${i}]`, a[i] ?? NaN, b[i] ?? NaN]);
  }
  return pairs;
}

/** The live locking design against its replay: every differing field (none, when the design is right). */
export function mutexMismatches(live: NativeResult['mutex'], replay: AnalysisResult): string[] {
  return mutexPairs(live, replay)
    .filter(([, a, b]) => a !== b)
    .map(([name, a, b]) => `${name}: live ${a}, replay ${b}`);
}

function pathCost(p: PathStats): PathCost {
  return {
    calls: p.lockingCalls,
    locking_mean_ns: p.lockingCalls ? p.lockingNs / p.lockingCalls : 0,
    locking_p50_ns: p.lockingP50Ns,
    locking_p99_ns: p.lockingP99Ns,
    atomic_mean_ns: p.atomicCalls ? p.atomicNs / p.atomicCalls : 0,
    atomic_p50_ns: p.atomicP50Ns,
    atomic_p99_ns: p.atomicP99Ns,
  };
}

function lockFigures(p: PathStats): LockFigures {
  const n = p.acquisitions;
  return {
    acquisitions: n,
    contended: p.contended,
    contended_fraction: n ? p.contended / n : 0,
    mean_wait_ns: n ? p.waitNs / n : 0,
    mean_hold_ns: n ? p.holdNs / n : 0,
    hold_p50_ns: p.holdP50Ns,
    hold_p99_ns: p.holdP99Ns,
    max_hold_ns: p.holdMaxNs,
  };
}

export function lockSummary(live: NativeResult): LiveComparison['lock'] {
  return { fault_path: lockFigures(live.faultPath), resolve_path: lockFigures(live.resolvePath) };
}

export function costSummary(live: NativeResult): LiveComparison['cost'] {
  return { fault_path: pathCost(live.faultPath), resolve_path: pathCost(live.resolvePath) };
}

export function compareLive(
  live: NativeResult,
  replay: { mutex: AnalysisResult; atomic: AnalysisResult; exact: AnalysisResult },
): LiveComparison {
  const n = live.tids.length;
  const { mutex, atomic, exact } = replay;
  const per_vcpu: VcpuRow[] = live.tids.map((tid, cpu) => ({
    cpu,
    tid,
    stalls: live.truth.vcpuStalls[cpu]!,
    true_ns: live.truth.vcpuBlockedNs[cpu]!,
    exact_ns: exact.vcpu_blocktime_ns[cpu]!,
    mutex_live_ns: live.mutex.vcpuBlockedNs[cpu]!,
    mutex_replay_ns: mutex.vcpu_blocktime_ns[cpu]!,
    atomic_live_ns: live.atomic.vcpuBlockedMs[cpu]! * 1e6,
    atomic_replay_ns: atomic.vcpu_blocktime_ns[cpu]!,
  }));
  const mismatches = mutexMismatches(live.mutex, mutex);
  const diag = atomic.diagnostics ?? { overwritten: 0, erased: 0, lost_blocked_vcpu: 0, ignored_non_vcpu: 0 };
  return {
    vcpus: n,
    duration_ns: Number(live.endNs - live.startNs),
    events: { vcpu: n, fault: live.faultRows, resolve: live.resolveRows },
    placed: { requested: live.placedRequested, streamed: live.placedStreamed },
    per_vcpu,
    total: {
      true_ns: live.truth.allDownNs,
      exact_ns: exact.total_blocktime_ns,
      mutex_live_ns: live.mutex.totalNs,
      mutex_replay_ns: mutex.total_blocktime_ns,
      atomic_live_ns: live.atomic.totalMs * 1e6,
      atomic_replay_ns: atomic.total_blocktime_ns,
    },
    fault_latency: live.truth.latency,
    mutex_live_equals_replay: mismatches.length === 0,
    mutex_mismatches: mismatches,
    atomic_live_minus_replay: {
      total_ns: live.atomic.totalMs * 1e6 - atomic.total_blocktime_ns,
      vcpu_ns: per_vcpu.map((r) => r.atomic_live_ns - r.atomic_replay_ns),
      diagnostics: {
        overwritten: { live: live.atomic.overwritten, replay: diag.overwritten },
        erased: { live: live.atomic.erased, replay: diag.erased },
        lost_blocked_vcpu: { live: live.atomic.lostBlockedVcpu, replay: diag.lost_blocked_vcpu },
        ignored_non_vcpu: { live: live.atomic.ignoredNonVcpu, replay: diag.ignored_non_vcpu },
      },
    },
    cost: costSummary(live),
    lock: lockSummary(live),
    ring_full_waits: live.ringFullWaits,
    error: live.error,
  };
}
