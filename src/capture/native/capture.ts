/**
 * `capture --native`: records a native session's trace to a file, then
 * replays that file and compares the replay with what both designs and the
 * ground truth measured live.
 */
import { replayTrace } from '../../replay/engine.js';
import type { AnalysisResult } from '../../replay/result.js';
import { openTrace } from '../../formats/open.js';
import type { WritableFormat } from '../../formats/registry.js';
import { createTraceWriter } from '../../formats/write.js';
import type { TraceWriter } from '../../trace/source.js';
import { loadNativeAddon, type NativeResult } from './addon.js';
import { compareLive, type LiveComparison } from './live-report.js';
import { validateNativeOptions, type NativeOptions } from './options.js';
import { runSession, type SessionOptions } from './session.js';

export interface NativeCaptureReport {
  trace: string;
  rows: number;
  options: NativeOptions;
  comparison: LiveComparison;
  replay: { mutex: AnalysisResult; atomic: AnalysisResult; exact: AnalysisResult };
  live: NativeResult;
}

export async function captureNative(
  options: NativeOptions,
  output: string,
  opts: Pick<SessionOptions, 'signal'> & { format?: WritableFormat } = {},
): Promise<NativeCaptureReport> {
  validateNativeOptions(options);
  const addon = loadNativeAddon();
  let writer: TraceWriter | undefined;
  let run;
  try {
    run = await runSession(
      addon,
      options,
      async (meta) => {
        const w = await createTraceWriter(output, meta, opts.format ? { format: opts.format } : {});
        writer = w;
        return w;
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    await writer!.close();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  const source = await openTrace(output, opts.format ? { format: opts.format } : {});
  let outcome;
  try {
    outcome = await replayTrace(source, ['mutex', 'atomic', 'exact']);
  } finally {
    await source.close();
  }
  const replay = { mutex: outcome.results.mutex!, atomic: outcome.results.atomic!, exact: outcome.results.exact! };
  return { trace: output, rows: run.rows, options, comparison: compareLive(run.live, replay), replay, live: run.live };
}
