/**
 * `compare`: the locking (`mutex`) and atomic-op (`atomic`) designs next to
 * `exact`, on one trace, in one pass, with what explains their differences.
 */
import { MutexVariant } from '../replay/mutex.js';
import { AtomicVariant } from '../replay/atomic.js';
import { ExactVariant } from '../replay/exact.js';
import { runPass } from '../replay/engine.js';
import type { AnalysisResult } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { UsageError } from '../errors.js';
import { checkExactFigures } from '../replay/exact-figures.js';
import { DivergenceObserver } from './observer.js';
import type { CompareExplanation, CompareResult, CompareVcpuRow, DesignFigure, DivergenceEvent, SideBySide } from './result.js';
import type { TraceWindow } from '../replay/window.js';

export interface CompareOptions {
  /** How many divergent rows to list (default 0). */
  explain?: number;
  onProgress?(rows: number): void;
  /** Named in error messages (compareTrace passes the source's path). */
  file?: string;
  /** Compare the designs over this window only (src/replay/window.ts). */
  window?: TraceWindow;
}

/** Compares the designs on an open trace (the caller closes it). */
export async function compareTrace(source: TraceSource, opts: CompareOptions = {}): Promise<CompareResult> {
  return compareBatches(source.meta, source.batches(), { file: source.path, ...opts });
}

export async function compareBatches(
  meta: TraceMeta,
  batches: Iterable<TraceBatch> | AsyncIterable<TraceBatch>,
  opts: CompareOptions = {},
): Promise<CompareResult> {
  const explain = opts.explain ?? 0;
  if (!(Number.isSafeInteger(explain) && explain >= 0)) throw new UsageError(`--explain ${explain}: expected a whole number >= 0`);
  let observer: DivergenceObserver | undefined;
  const pass = await runPass(meta, batches, opts, (ctx) => {
    observer = new DivergenceObserver(ctx, explain);
    return [new ExactVariant(ctx), new MutexVariant(ctx), new AtomicVariant(ctx), observer];
  });
  const [exactV, mutexV, atomicV] = pass.consumers as [ExactVariant, MutexVariant, AtomicVariant, DivergenceObserver];
  observer!.finish();
  const window = pass.window ? { window: pass.window } : {};
  const exact = { ...exactV.result(), ...window };
  const mutex = { ...mutexV.result(), ...window };
  const atomic = { ...atomicV.result(), ...window };
  const explanation = pass.window ? observer!.windowedExplanation() : observer!.explanation;
  const result = { ...assemble(exact, mutex, atomic, explanation, observer!.events), ...window };
  // The designs' own results are checked already; the sums and differences across them are new figures.
  checkExactFigures(result, opts.file ?? '<trace>', 'compare');
  return result;
}

function figure(ns: number, exactNs: number): DesignFigure {
  const diff = ns - exactNs;
  return { ns, diff_ns: diff, diff_pct: exactNs === 0 ? (diff === 0 ? 0 : null) : (100 * diff) / exactNs };
}

function sideBySide(exactNs: number, mutexNs: number, atomicNs: number): SideBySide {
  return { exact_ns: exactNs, mutex: figure(mutexNs, exactNs), atomic: figure(atomicNs, exactNs) };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function assemble(exact: AnalysisResult, mutex: AnalysisResult, atomic: AnalysisResult, explanation: CompareExplanation, explain: DivergenceEvent[]): CompareResult {
  const vcpu: CompareVcpuRow[] = exact.vcpu_blocktime_ns.map((e, cpu) => ({
    cpu,
    faults: mutex.vcpu_faults[cpu]!,
    atomic_faults: atomic.vcpu_faults[cpu]!,
    ...sideBySide(e, mutex.vcpu_blocktime_ns[cpu]!, atomic.vcpu_blocktime_ns[cpu]!),
  }));
  return {
    vcpus: mutex.vcpus,
    page_size: mutex.page_size,
    events: mutex.events,
    faults: mutex.faults,
    total: sideBySide(exact.total_blocktime_ns, mutex.total_blocktime_ns, atomic.total_blocktime_ns),
    vcpu,
    vcpu_sum: sideBySide(sum(exact.vcpu_blocktime_ns), sum(mutex.vcpu_blocktime_ns), sum(atomic.vcpu_blocktime_ns)),
    non_vcpu_faults: mutex.non_vcpu_faults,
    explanation,
    explain,
    results: { exact, mutex, atomic },
  };
}
