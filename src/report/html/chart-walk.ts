/**
 * One pass over a trace for the report: the designs it is given and, with
 * `exact`, the charts drawn from that replay as it goes (chart-observer.ts);
 * with `facts`, what `trace_meta` would say of the trace (its rows, time
 * range and `vcpu` rows). The report splits the designs between two such
 * passes on two cores (chart-worker.ts, build.ts).
 */
import { ExactVariant } from '../../replay/exact.js';
import { createVariant, runPass } from '../../replay/engine.js';
import type { AnalysisResult, VariantName } from '../../replay/result.js';
import type { Variant } from '../../replay/context.js';
import type { TraceWindow } from '../../replay/window.js';
import type { TraceBatch } from '../../trace/batch.js';
import type { TraceSource } from '../../trace/source.js';
import { type Facts, TraceFacts } from '../../sql/trace-facts.js';
import { ChartObserver, type Charts } from './chart-observer.js';

export interface ChartWalkOptions {
  variants: readonly VariantName[];
  /** Whether to gather the trace's facts. */
  facts: boolean;
  /** Bars the timeline draws at most (timeline-builder.ts). */
  budget: number;
  window?: TraceWindow;
  /** Rows read so far, after each batch. */
  onProgress?(rows: number): void;
}

export interface ChartWalk {
  results: Partial<Record<VariantName, AnalysisResult>>;
  /** With `exact`: its charts, or `disordered` when times went backwards and SQL must draw them (chart-observer.ts). */
  charts?: Charts | 'disordered';
  facts?: Facts;
}

type Consumer = { consume(b: TraceBatch, rel: Float64Array): void; mark?(at: number): void };

export async function walkForCharts(source: TraceSource, opts: ChartWalkOptions): Promise<ChartWalk> {
  const facts = opts.facts ? new TraceFacts(source.meta, source.path) : undefined;
  const names = [...new Set(opts.variants)];
  let observer: ChartObserver | undefined;
  let variants: Variant<AnalysisResult>[] = [];
  const pass = await runPass(
    source.meta,
    source.batches(),
    { file: source.path, ...(opts.window ? { window: opts.window } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) },
    (ctx) => {
      variants = names.map((name) => {
        if (name !== 'exact') return createVariant(name, ctx);
        observer = new ChartObserver(ctx.window, opts.budget);
        return new ExactVariant(ctx, observer);
      });
      const consumers: Consumer[] = [...variants];
      if (observer) consumers.push(observer);
      if (facts) consumers.push({ consume: (b) => facts.consume(b) });
      return consumers;
    },
  );
  const results: ChartWalk['results'] = {};
  names.forEach((name, k) => {
    const result = variants[k]!.result();
    results[name] = pass.window ? { ...result, window: pass.window } : result;
  });
  return {
    results,
    ...(observer ? { charts: observer.disordered ? 'disordered' : observer.finish() } : {}),
    ...(facts ? { facts: facts.facts() } : {}),
  };
}
