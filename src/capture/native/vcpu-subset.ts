/** A native capture's comparison showing some vCPUs only: see src/replay/vcpu-subset.ts. */
import type { LiveComparison } from './live-report.js';

export function liveComparisonForVcpus(cmp: LiveComparison, shown: readonly number[]): LiveComparison & { vcpus_shown: number[] } {
  const a = cmp.atomic_live_minus_replay;
  return {
    ...cmp,
    per_vcpu: shown.map((i) => cmp.per_vcpu[i]!),
    atomic_live_minus_replay: { ...a, vcpu_ns: shown.map((i) => a.vcpu_ns[i]!) },
    vcpus_shown: [...shown],
  };
}
