/**
 * Drives a trace's batches through one or more variants in a single pass.
 * Converts each batch's int64 times to doubles relative to the first row once,
 * for all variants, and times the per-event work apart from the reading.
 */
import { InputError, UsageError } from '../errors.js';
import { relativeTimes, subBatch, type TraceBatch } from '../trace/batch.js';
import { MAX_VCPUS, isPowerOfTwo, type TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { AtomicVariant } from './atomic.js';
import { pageShiftOf, type ReplayContext, type Variant } from './context.js';
import { ExactVariant } from './exact.js';
import { MutexVariant } from './mutex.js';
import type { AnalysisResult, VariantName, WindowReport } from './result.js';
import { type TraceWindow, type WindowBounds, type WindowMarker, windowBounds, windowReport } from './window.js';

/**
 * How a pass runs. The vCPU count and page size are the metadata's: a
 * user's overrides are applied where the trace is opened
 * (src/formats/open.ts), never here.
 */
export interface ReplayOptions {
  /** Called after each batch with the number of rows replayed so far. */
  onProgress?(rows: number): void;
  /** Named in error messages (replayTrace passes the source's path). */
  file?: string;
  /** Results for this window only (window.ts; docs/blocktime.md#time-windows). */
  window?: TraceWindow;
}

export interface ReplayTiming {
  events: number;
  /** Time spent reading and decoding batches: total minus replay. */
  read_s: number;
  /** Time spent in the variants' per-event code (and the per-batch time conversion they share). */
  replay_s: number;
  total_s: number;
  replay_events_per_s: number;
  /** Added key: each variant's own share of `replay_s`. */
  variant_s: Partial<Record<VariantName, number>>;
}

export interface ReplayOutcome {
  results: Partial<Record<VariantName, AnalysisResult>>;
  timing: ReplayTiming;
}

export function createVariant(name: VariantName, ctx: ReplayContext): Variant<AnalysisResult> {
  switch (name) {
    case 'mutex':
      return new MutexVariant(ctx);
    case 'atomic':
      return new AtomicVariant(ctx);
    case 'exact':
      return new ExactVariant(ctx);
  }
}

/** Replays an open trace (the caller closes it). */
export async function replayTrace(source: TraceSource, variants: VariantName[], opts: ReplayOptions = {}): Promise<ReplayOutcome> {
  return replayBatches(source.meta, source.batches(), variants, { file: source.path, ...opts });
}

/** Replays batches held in memory, or any iterable of them, in trace order. */
export async function replayBatches(
  meta: TraceMeta,
  batches: Iterable<TraceBatch> | AsyncIterable<TraceBatch>,
  variants: VariantName[],
  opts: ReplayOptions = {},
): Promise<ReplayOutcome> {
  const names = [...new Set(variants)];
  const pass = await runPass(meta, batches, opts, (ctx) => names.map((name) => createVariant(name, ctx)));
  const results: Partial<Record<VariantName, AnalysisResult>> = {};
  const variant_s: Partial<Record<VariantName, number>> = {};
  names.forEach((name, k) => {
    const result = pass.consumers[k]!.result();
    results[name] = pass.window ? { ...result, window: pass.window } : result;
    variant_s[name] = pass.consumerNs[k]! / 1e9;
  });
  const { events, convertNs, totalNs } = pass;
  const replayNs = convertNs + pass.consumerNs.reduce((a, b) => a + b, 0);
  const replay_s = replayNs / 1e9;
  return {
    results,
    timing: {
      events,
      read_s: (totalNs - replayNs) / 1e9,
      replay_s,
      total_s: totalNs / 1e9,
      replay_events_per_s: replay_s > 0 ? Math.round(events / replay_s) : 0,
      variant_s,
    },
  };
}

export interface PassOutcome<C> {
  consumers: C[];
  /** Rows read. */
  events: number;
  consumerNs: number[];
  convertNs: number;
  totalNs: number;
  /** A windowed pass: the window its results cover. */
  window?: WindowReport;
}

/**
 * One pass over the batches: the consumers (variants, or the compare
 * engine's observer beside them) are created once the first row's time is
 * known, then each batch goes to each consumer in turn.
 */
export async function runPass<C extends { consume(b: TraceBatch, rel: Float64Array): void } & Partial<WindowMarker>>(
  meta: TraceMeta,
  batches: Iterable<TraceBatch> | AsyncIterable<TraceBatch>,
  opts: ReplayOptions,
  create: (ctx: ReplayContext) => C[],
): Promise<PassOutcome<C>> {
  const t0 = process.hrtime.bigint();
  const { pageSize, vcpus } = meta;
  if (!isPowerOfTwo(pageSize)) throw new UsageError(`page size ${pageSize}: expected a power of two`);
  if (vcpus !== undefined && !(Number.isSafeInteger(vcpus) && vcpus >= 1 && vcpus <= MAX_VCPUS)) {
    throw new UsageError(`vCPU count ${vcpus}: expected a whole number from 1 to ${MAX_VCPUS}`);
  }
  const ctxBase = {
    pageSize,
    pageShift: pageShiftOf(pageSize),
    ...(vcpus !== undefined ? { vcpus } : {}),
    ...(meta.startNs !== undefined ? { startNs: meta.startNs } : {}),
    file: opts.file ?? '<trace>',
  };
  let consumers: C[] | undefined;
  let consumerNs: number[] = [];
  let convertNs = 0;
  let events = 0;
  let rel = new Float64Array(0);
  let baseNs = 0n;
  let bounds: WindowBounds | undefined;
  /** The rows at which the window's instants were reached, in order (since, until). */
  const marked: number[] = [];
  const start = (first: bigint): C[] => {
    baseNs = first;
    if (opts.window) bounds = windowBounds(opts.window, baseNs);
    const made = create({ ...ctxBase, baseNs, ...(bounds ? { window: bounds } : {}) });
    consumerNs = made.map(() => 0);
    return made;
  };
  const feed = (b: TraceBatch, view: Float64Array, from: number, to: number): void => {
    if (from === to) return;
    const part = from === 0 && to === b.length ? b : subBatch(b, from, to);
    const partView = part === b ? view : view.subarray(from, to);
    let prev = process.hrtime.bigint();
    for (let k = 0; k < consumers!.length; k++) {
      consumers![k]!.consume(part, partView);
      const now = process.hrtime.bigint();
      consumerNs[k]! += Number(now - prev);
      prev = now;
    }
  };

  for await (const b of batches) {
    if (b.length === 0) continue;
    consumers ??= start(b.t[0]!);
    const c0 = process.hrtime.bigint();
    if (rel.length < b.length) rel = new Float64Array(Math.max(b.length, rel.length * 2));
    const view = rel.length === b.length ? rel : rel.subarray(0, b.length);
    if (!relativeTimes(b.t, baseNs, view)) throw outOfRange(b, view, baseNs, ctxBase.file);
    convertNs += Number(process.hrtime.bigint() - c0);
    let from = 0;
    // A window cuts the batch at the first row that reaches each instant, where the consumers mark their state.
    while (bounds !== undefined && marked.length < 2) {
      const at = marked.length === 0 ? bounds.since : bounds.until;
      let k = from;
      while (k < b.length && view[k]! < at) k++;
      if (k === b.length) break;
      feed(b, view, from, k);
      for (const c of consumers) c.mark?.(at);
      marked.push(events + k);
      from = k;
    }
    feed(b, view, from, b.length);
    events += b.length;
    opts.onProgress?.(events);
  }
  consumers ??= start(0n);
  const window = opts.window ? windowReport(opts.window, baseNs, marked[0], marked[1], events) : undefined;
  return { consumers, events, consumerNs, convertNs, totalNs: Number(process.hrtime.bigint() - t0), ...(window ? { window } : {}) };
}

/**
 * The first row of `b` too far from the first row of the trace: its offset,
 * a double, would round, and so would every figure it enters. Refused rather
 * than counted, so that every figure the replay gives is exact.
 */
function outOfRange(b: TraceBatch, rel: Float64Array, baseNs: bigint, file: string): InputError {
  let i = 0;
  while (i < rel.length - 1 && Math.abs(rel[i]!) <= Number.MAX_SAFE_INTEGER) i++;
  return new InputError(
    { file, row: b.firstRow + i + 1 },
    `t_ns ${b.t[i]} is 2^53 ns (104 days) or more from the first row's ${baseNs}; expected a trace spanning less than that (the replay keeps times as exact offsets from its first row)`,
  );
}
