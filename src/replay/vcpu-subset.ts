/**
 * A result that shows some vCPUs only (`--cpu`, `--tid`, `--sort`, `--top`
 * with `--json`): every per-vCPU array keeps the entries of `shown`, in that
 * order, and `vcpus_shown` names the vCPU of each entry. Every other field
 * (totals, sums, counts, the overall latency) stays the whole VM's
 * (docs/trace-format.md#showing-some-vcpus).
 */
import type { AnalysisResult } from './result.js';

export function analysisForVcpus(r: AnalysisResult, shown: readonly number[]): AnalysisResult {
  const pick = <T>(xs: readonly T[]): T[] => shown.map((i) => xs[i]!);
  const out: AnalysisResult = { ...r, vcpus_shown: [...shown], vcpu_blocktime_ns: pick(r.vcpu_blocktime_ns), vcpu_faults: pick(r.vcpu_faults) };
  if (r.qemu) {
    const q = { ...r.qemu, 'postcopy-vcpu-blocktime': pick(r.qemu['postcopy-vcpu-blocktime']) };
    if (r.qemu['postcopy-vcpu-latency']) q['postcopy-vcpu-latency'] = pick(r.qemu['postcopy-vcpu-latency']);
    out.qemu = q;
  }
  if (r.latency) out.latency = { ...r.latency, vcpu: pick(r.latency.vcpu) };
  return out;
}
