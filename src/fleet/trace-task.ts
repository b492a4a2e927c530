/**
 * One trace of a fleet: opened, replayed (`analyze`'s variant, or the three
 * designs for `compare`) and summed up in a row, or its failure caught and
 * kept as the row's one-line error, so that the other traces go on. The
 * same function runs in a worker thread (worker.ts) or, run from the
 * TypeScript sources, on the main thread.
 */
import { toExit } from '../errors.js';
import type { OpenOptions } from '../formats/open.js';
import type { CompareResult } from '../compare/result.js';
import type { AnalysisResult, VariantName } from '../replay/result.js';
import type { TraceSource } from '../trace/source.js';

export type FleetMode = 'analyze' | 'compare';

/** What a worker is given for one trace: plain data only, to cross threads. */
export interface TraceTask {
  path: string;
  mode: FleetMode;
  /** `analyze`'s design. */
  variant: VariantName;
  /** `compare --explain`. */
  explain: number;
  /** Reading options without callbacks. */
  open: OpenOptions;
}

/** What a row says about its trace, beside the figures. */
export interface TraceMetaRow {
  /** The format read, as the registry names it. */
  format: string;
  /** What produced the trace, in a few words: `sim steady seed 7`, `QEMU 11.1.3`, `QEMU >= 10.1`, `native`. */
  source: string;
  /** `source` without what varies from one run to the next (the seed): what charts colour by. */
  source_group: string;
  /** The QEMU version, where the trace tells it (a log imported with --qemu-version). */
  qemu_version: string | null;
  /** QEMU's accounting design the log came from (`mutex`, `atomic`); null for other sources. */
  qemu_design: string | null;
  page_size: number;
  vcpus: number;
}

export interface TraceDone {
  ok: true;
  trace: string;
  trace_meta: TraceMetaRow;
  result: AnalysisResult | CompareResult;
  /** The `exact` p99 fault latency, which an `analyze` row carries whatever its design. */
  fault_p99_ns: number;
}

export interface TraceFailed {
  ok: false;
  trace: string;
  /** The one line the single-trace command would have printed. */
  error: string;
  /** Its exit code: 2 for bad input, 1 for a bug of ours. */
  exit_code: number;
}

export type TraceOutcome = TraceDone | TraceFailed;

export async function runTraceTask(task: TraceTask, onWarning: (message: string) => void): Promise<TraceOutcome> {
  try {
    // Loaded here: a worker imports this module before it has a task.
    const { openTrace } = await import('../formats/open.js');
    const source = await openTrace(task.path, { ...task.open, onWarning });
    try {
      return await replayOne(task, source);
    } finally {
      await source.close();
    }
  } catch (err) {
    const { message, exitCode } = toExit(err);
    return { ok: false, trace: task.path, error: message, exit_code: exitCode };
  }
}

async function replayOne(task: TraceTask, source: TraceSource): Promise<TraceDone> {
  if (task.mode === 'compare') {
    const { compareTrace } = await import('../compare/compare.js');
    const result = await compareTrace(source, { explain: task.explain });
    return done(task.path, source, result, result.results.exact);
  }
  const { replayTrace } = await import('../replay/engine.js');
  // The exact variant too, for the p99 latency every row shows: one pass for both.
  const outcome = await replayTrace(source, task.variant === 'exact' ? ['exact'] : [task.variant, 'exact']);
  const result = outcome.results[task.variant];
  const exact = outcome.results.exact;
  if (!result || !exact) throw new Error(`replay returned no ${task.variant} result`);
  return done(task.path, source, result, exact);
}

function done(path: string, source: TraceSource, result: AnalysisResult | CompareResult, exact: AnalysisResult): TraceDone {
  return {
    ok: true,
    trace: path,
    trace_meta: traceMetaRow(source, exact),
    result,
    fault_p99_ns: exact.latency?.overall.p99_ns ?? 0,
  };
}

export function traceMetaRow(source: TraceSource, exact: AnalysisResult): TraceMetaRow {
  const s = source.meta.source ?? {};
  const kind = typeof s.kind === 'string' ? s.kind : undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  let label: string;
  let group: string;
  let qemuVersion: string | null = null;
  let qemuDesign: string | null = null;
  if (kind === 'sim') {
    const scenario = str(s.scenario);
    group = scenario ? `sim ${scenario}` : 'sim';
    label = str(s.seed) !== undefined ? `${group} seed ${str(s.seed)!}` : group;
  } else if (kind === 'qemu-log') {
    qemuVersion = str(s.qemu_version) ?? null;
    qemuDesign = str(s.design) ?? null;
    label = `QEMU ${qemuVersion ?? str(s.qemu) ?? ''}`.trimEnd();
    group = label;
  } else {
    label = kind ?? source.format;
    group = label;
  }
  return {
    format: source.format,
    source: label,
    source_group: group,
    qemu_version: qemuVersion,
    qemu_design: qemuDesign,
    page_size: exact.page_size,
    vcpus: exact.vcpus,
  };
}
