/**
 * blocktime as a library: what the CLI does, as typed functions.
 *
 * ```ts
 * import { analyze, compare, openDatabase, simulate, report } from 'blocktime';
 * const r = await analyze('trace.arrow');            // all three designs
 * console.log(r.exact.total_blocktime_ns, r.mutex.qemu?.['postcopy-blocktime']);
 * ```
 *
 * Every function that takes a trace takes a path (format from `format`,
 * else the extension, else the content; gzip or zstd compressed or not) or a
 * `TraceSource` from `openTrace`, which is read once and closed by the
 * caller. Times are int64 nanoseconds in the trace;
 * results carry them as exact integers in doubles (below 2^53 ns).
 */
import type { TopLevelSpec } from 'vega-lite';
import { simulateToWriter, type SimCaptureSummary } from './capture/sim/capture.js';
import type { SimOptions } from './capture/sim/options.js';
import type { ScenarioName } from './capture/sim/scenarios.js';
import { compareTrace, type CompareOptions } from './compare/compare.js';
import type { CompareResult } from './compare/result.js';
import { replayTrace } from './replay/engine.js';
import { VARIANTS, type AnalysisResult, type VariantName } from './replay/result.js';
import { buildHtmlReport, type HtmlReport, type HtmlReportOptions } from './report/html/build.js';
import { vegaLiteToSvg } from './report/html/svg.js';
import { openTrace, withOverrides, type OpenOptions } from './formats/open.js';
import { createTraceWriter } from './formats/write.js';
import { writeOutputFile } from './output-file.js';
import type { Row } from './sql/run-sql.js';
import { openTraceDatabase } from './sql/trace-database.js';
import { readResults } from './sql/trace-tables.js';
import type { TraceSource } from './trace/source.js';

export { openTrace, type OpenOptions, type OpenedTrace } from './formats/open.js';
export { createTraceWriter } from './formats/write.js';
export { FORMAT_NAMES, type TraceFormat } from './formats/registry.js';
export type { TraceSource, TraceWriter } from './trace/source.js';
export type { TraceBatch } from './trace/batch.js';
export { Kind, KIND_NAMES, DEFAULT_PAGE_SIZE, type TraceMeta } from './trace/schema.js';
export { replayTrace, replayBatches, type ReplayOptions, type ReplayOutcome, type ReplayTiming } from './replay/engine.js';
export { VARIANTS, LATENCY_BUCKETS, type AnalysisResult, type LatencyStats, type QemuFigures, type VariantName } from './replay/result.js';
export { compareTrace, compareBatches, type CompareOptions } from './compare/compare.js';
export type { CompareResult, CompareExplanation, CompareVcpuRow, DivergenceEvent, SideBySide, DesignFigure, CountNs } from './compare/result.js';
export type { SimOptions } from './capture/sim/options.js';
export { SCENARIOS, type Scenario, type ScenarioName } from './capture/sim/scenarios.js';
export type { SimStats } from './capture/sim/simulator.js';
export type { SimCaptureSummary } from './capture/sim/capture.js';
export type { HtmlReport, HtmlReportOptions } from './report/html/build.js';
export type { ReportData, Timeline, TimeRuns, LatencyCdf } from './report/html/report-data.js';
export type { TopLevelSpec } from 'vega-lite';
export { BlocktimeError, InputError, UsageError, UnavailableError, QueryError, FileSystemError, ExitCode } from './errors.js';

/** A trace file's path, or a source already opened with `openTrace` (read once; its caller closes it). */
export type TraceInput = string | TraceSource;

/** Runs `use` on the input as a source, opening and closing it when it is a path; `opts` override the metadata either way. */
async function withSource<T>(trace: TraceInput, opts: OpenOptions, use: (source: TraceSource) => Promise<T>): Promise<T> {
  if (typeof trace !== 'string') return use(withOverrides(trace, opts));
  const source = await openTrace(trace, opts);
  try {
    return await use(source);
  } finally {
    await source.close();
  }
}

export interface AnalyzeOptions<V extends VariantName = VariantName> extends OpenOptions {
  /** Designs to replay (default all three, in one pass). */
  variants?: readonly V[];
}

/**
 * Replays a trace through the chosen designs (default `exact`, `mutex` and
 * `atomic`, one pass) and returns each one's `analyze --json` result.
 *
 * @example const { exact, mutex } = await analyze('trace.arrow', { variants: ['exact', 'mutex'] });
 */
export async function analyze<V extends VariantName = VariantName>(trace: TraceInput, options: AnalyzeOptions<V> = {}): Promise<Record<V, AnalysisResult>> {
  const { variants, ...open } = options;
  const names = (variants ?? VARIANTS) as readonly V[];
  return withSource(trace, open, async (source) => {
    const outcome = await replayTrace(source, [...names]);
    return outcome.results as Record<V, AnalysisResult>;
  });
}

/**
 * The locking (`mutex`, QEMU 10.1+) and atomic-op (`atomic`, QEMU 2.12 to
 * 10.0) designs next to `exact` on one trace, with what explains their
 * differences (`explain: n` lists the first n rows where they diverge).
 */
export async function compare(trace: TraceInput, options: OpenOptions & Omit<CompareOptions, 'file'> = {}): Promise<CompareResult> {
  return withSource(trace, options, (source) =>
    compareTrace(source, {
      ...(options.explain !== undefined ? { explain: options.explain } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  );
}

export type { Row } from './sql/run-sql.js';

/** A trace loaded into an in-memory DuckDB with the analysis views, for SQL. */
export interface TraceDatabase {
  /** The three designs' results, computed while loading. */
  readonly results: Record<VariantName, AnalysisResult>;
  /**
   * Runs one SQL statement over the tables `events`, `trace_meta`, `results`,
   * `analysis` and the views `vcpus`, `faults`, `blocked_intervals`,
   * `all_down_intervals` (their columns: `blocktime query --print-views`).
   * `$1`, `$2`, ... take `params`.
   */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Frees DuckDB's memory and removes its spill files. */
  close(): Promise<void>;
}

/**
 * Opens a trace as a DuckDB database for any number of queries: the replay's
 * results at once, each other relation the first time a query reads it.
 * Close it when done.
 */
export async function openDatabase(trace: TraceInput, options: OpenOptions = {}): Promise<TraceDatabase> {
  const db = await openTraceDatabase(trace, { open: options, build: { relations: ['results', 'analysis'] } });
  try {
    const results = await readResults(db.connection);
    return { results, query: (sql, params) => db.query(sql, params), close: async () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** One query over a trace: loads it, runs `sql`, frees the database. For several queries use `openDatabase`. */
export async function query(trace: TraceInput, sql: string, options: OpenOptions = {}): Promise<Row[]> {
  const db = await openDatabase(trace, options);
  try {
    return await db.query(sql);
  } finally {
    await db.close();
  }
}

export interface SimulateOptions extends Partial<SimOptions> {
  /** A preset of irregularities (see `SCENARIOS`); the other options override it. */
  scenario?: ScenarioName;
}

/**
 * Runs the seeded simulator and writes its trace to `path` (format from the
 * extension, any that `createTraceWriter` writes). Same options and seed, same
 * trace. Returns the options used and what was simulated.
 *
 * @example await simulate('/tmp/reentrant.arrow', { scenario: 'reentrant', vcpus: 4, faults: 5000 });
 */
export async function simulate(path: string, options: SimulateOptions = {}): Promise<SimCaptureSummary> {
  const { scenario, ...sim } = options;
  return simulateToWriter({ options: sim, ...(scenario ? { scenario } : {}) }, (meta) => createTraceWriter(path, meta));
}

export interface ReportOptions extends HtmlReportOptions {
  /** Also write the page here (under a temporary name, renamed when complete). */
  output?: string;
}

/**
 * The self-contained HTML report of `blocktime report`: the page and the data
 * it draws (`data`: results, timeline runs, CDF points).
 */
export async function report(trace: TraceInput, options: ReportOptions = {}): Promise<HtmlReport> {
  const { output, ...rest } = options;
  const built = await buildHtmlReport(trace, rest);
  if (output !== undefined) await writeOutputFile(output, built.html);
  return built;
}

/**
 * A Vega-Lite chart rendered to SVG text in Node (no browser), for notebooks:
 * `tslab.display.html(await plot({...}))`.
 */
export async function plot(spec: TopLevelSpec): Promise<string> {
  return vegaLiteToSvg(spec);
}
