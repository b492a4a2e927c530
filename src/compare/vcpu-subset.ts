/** A comparison that shows some vCPUs only: see src/replay/vcpu-subset.ts. */
import { analysisForVcpus } from '../replay/vcpu-subset.js';
import type { CompareResult } from './result.js';

export function comparisonForVcpus(r: CompareResult, shown: readonly number[]): CompareResult {
  const { exact, mutex, atomic } = r.results;
  return {
    ...r,
    vcpu: shown.map((i) => r.vcpu[i]!),
    vcpus_shown: [...shown],
    results: { exact: analysisForVcpus(exact, shown), mutex: analysisForVcpus(mutex, shown), atomic: analysisForVcpus(atomic, shown) },
  };
}
