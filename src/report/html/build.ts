/**
 * `buildHtmlReport`: a trace to the HTML report.
 *
 * A trace file is read in two passes at once (chart-walk.ts): a worker
 * replays `exact`, draws the timeline and latency CDFs from it as it closes
 * each wait (chart-observer.ts) and gathers what `trace_meta` would say;
 * this thread replays `mutex` and `atomic`. Nothing is copied into DuckDB, which only gives
 * the migration's phases and legs (no read of the rows).
 *
 * An open source or a pipe, which can be read only once, goes into DuckDB
 * instead, and the charts come from the SQL relations that define them
 * (`blocked_intervals`, `all_down_intervals`, `faults`); so does a trace
 * whose times go backwards, which the replay cannot draw in order. Both
 * ways feed the same downsampling (timeline-builder.ts, latency-cdf.ts), and
 * test/report/html/build.test.ts checks that they draw the same charts.
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type OpenOptions, openTrace } from '../../formats/open.js';
import { isRegularFile } from '../../formats/regular-file.js';
import type { AnalysisResult } from '../../replay/result.js';
import type { WindowReport } from '../../replay/result.js';
import type { TraceWindow } from '../../replay/window.js';
import { readResults } from '../../sql/trace-tables.js';
import { openTraceDatabase } from '../../sql/trace-database.js';
import type { Relation } from '../../sql/relations.js';
import { plainOpenOptions } from '../../worker-channel.js';
import type { TraceSource } from '../../trace/source.js';
import type { VcpuOptionValues } from '../vcpu-selection.js';
import type { Charts } from './chart-observer.js';
import { type ChartWalk, walkForCharts } from './chart-walk.js';
import { chartWorkerAvailable, walkInWorker } from './chart-worker.js';
import { buildCharts } from './charts.js';
import { queryLatencyCdf } from './latency-cdf-query.js';
import { queryMigration } from './migration-query.js';
import { renderPage } from './page.js';
import type { ReportData, ReportMigration, ReportTrace } from './report-data.js';
import { TIMELINE_BAR_BUDGET } from './timeline-builder.js';
import { queryTimeline } from './timeline-query.js';

/** The migration's relations: no read of the trace's rows. */
const MIGRATION_RELATIONS: readonly Relation[] = ['phases', 'fault_legs'];
/** What the charts read when SQL draws them. */
const CHART_RELATIONS: readonly Relation[] = ['trace_meta', 'faults', 'blocked_intervals', 'all_down_intervals'];
/** What the report reads when all of it comes from SQL (not `events`: copying every row would cost more than the rest). */
const REPORT_RELATIONS: readonly Relation[] = [...CHART_RELATIONS, 'vcpus', 'analysis', ...MIGRATION_RELATIONS];

export interface HtmlReportOptions extends OpenOptions {
  /** Bars the timeline draws at most (about); more intervals are binned (see timeline-builder.ts). */
  timelineBars?: number;
  /** Called with the rows read so far. */
  onRows?(rows: number): void;
  /** Figures and charts for this window only; the timeline is clipped to it (src/sql/trace-window.ts). */
  window?: TraceWindow;
  /** The vCPUs the per-vCPU table shows (all by default). */
  view?: VcpuOptionValues;
}

export interface HtmlReport {
  html: string;
  data: ReportData;
}

/** What the page is made of, however it was gathered. */
interface Gathered {
  trace: Omit<ReportTrace, 'page_size' | 'vcpus'>;
  results: { exact: AnalysisResult; mutex: AnalysisResult; atomic: AnalysisResult };
  charts: Charts;
  migration?: ReportMigration;
}

interface Job {
  open: OpenOptions;
  budget: number;
  window?: TraceWindow;
  onRows?(rows: number): void;
}

/** The report of a trace file, or of an open source (read once; the caller closes it). */
export async function buildHtmlReport(trace: string | TraceSource, opts: HtmlReportOptions = {}): Promise<HtmlReport> {
  const { timelineBars, onRows, window, view, ...open } = opts;
  const job: Job = { open, budget: timelineBars ?? TIMELINE_BAR_BUDGET, ...(window ? { window } : {}), ...(onRows ? { onRows } : {}) };
  const gathered = typeof trace === 'string' && (await isRegularFile(trace)) ? await fromFile(trace, job) : await fromSql(trace, job);
  const { exact, mutex, atomic } = gathered.results;
  const { path, format, rows, span_ns, source, vcpu_tids } = gathered.trace;
  const data: ReportData = {
    generator: await packageVersion(),
    trace: { path, format, page_size: exact.page_size, vcpus: exact.vcpus, rows, span_ns, ...(source ? { source } : {}), ...(vcpu_tids ? { vcpu_tids } : {}) },
    results: { exact, mutex, atomic },
    timeline: gathered.charts.timeline,
    latency_cdf: gathered.charts.latency_cdf,
    ...(gathered.migration ? { migration: gathered.migration } : {}),
  };
  return { html: await renderPage(data, await buildCharts(data), view ?? {}), data };
}

/** A file: two passes side by side; DuckDB for the migration only, or for the charts too when times go backwards. */
async function fromFile(path: string, job: Job): Promise<Gathered> {
  const walked = await walkFile(path, job);
  const facts = walked.facts!;
  const results = walked.results as Gathered['results'];
  const originNs = facts.range.first ?? 0n;
  const spanNs = facts.range.min === null ? 0 : Number(facts.range.max! - facts.range.min);
  const sqlCharts = walked.charts === 'disordered';
  // Its own read, when there is one, repeats the warnings this thread's pass gave already.
  const db = await openTraceDatabase(path, {
    open: plainOpenOptions(job.open),
    build: { relations: sqlCharts ? [...CHART_RELATIONS, ...MIGRATION_RELATIONS] : MIGRATION_RELATIONS },
    ...(sqlCharts && job.window ? { window: job.window } : {}),
  });
  try {
    const charts = sqlCharts ? await queryCharts(db.connection, originNs, results.exact.vcpus, job.budget, results.exact.window) : (walked.charts as Charts);
    const migration = await queryMigration(db.connection, originNs, spanNs);
    const tids = new Array<number>(results.exact.vcpus).fill(-1);
    facts.vcpuCpus.forEach((cpu, k) => {
      if (cpu < tids.length) tids[cpu] = facts.vcpuTids[k]!;
    });
    return {
      trace: {
        path: walked.path,
        format: walked.format,
        rows: facts.rows,
        span_ns: spanNs,
        ...(walked.source ? { source: walked.source } : {}),
        vcpu_tids: tids,
      },
      results,
      charts,
      ...(migration ? { migration } : {}),
    };
  } finally {
    db.close();
  }
}

/**
 * Two passes over the file at once: `exact` with the charts and the trace's
 * facts in a worker; `mutex` and `atomic` here, where the reader's warnings
 * and the progress come from. Of the splits, that one is the most even
 * (`exact` with its charts costs a little less than the other two
 * together), and a third thread for `mutex` alone made the report slower on
 * two cores (its replay fights the others for the cache). All on this
 * thread when no worker can run.
 */
async function walkFile(path: string, job: Job): Promise<ChartWalk & { path: string; format: string; source?: Record<string, unknown> }> {
  const source = await openTrace(path, job.open);
  try {
    const common = { budget: job.budget, ...(job.window ? { window: job.window } : {}) };
    const described = { path: source.path, format: source.format, ...(source.meta.source ? { source: source.meta.source } : {}) };
    const progress = job.onRows ? { onProgress: job.onRows } : {};
    if (!chartWorkerAvailable()) return { ...(await walkForCharts(source, { ...common, ...progress, facts: true, variants: ['exact', 'mutex', 'atomic'] })), ...described };
    const worker = walkInWorker(path, job.open, { ...common, facts: true, variants: ['exact'] });
    try {
      const mine = await walkForCharts(source, { ...common, ...progress, facts: false, variants: ['mutex', 'atomic'] });
      const theirs = await worker.outcome();
      return { results: { ...theirs.results, ...mine.results }, charts: theirs.charts!, facts: theirs.facts!, ...described };
    } finally {
      await worker.terminate();
    }
  } finally {
    await source.close();
  }
}

/** An open source or a pipe, read once into DuckDB: everything from SQL. */
async function fromSql(trace: string | TraceSource, job: Job): Promise<Gathered> {
  const db = await openTraceDatabase(trace, {
    open: job.open,
    build: { relations: REPORT_RELATIONS },
    ...(job.onRows ? { onProgress: job.onRows } : {}),
    ...(job.window ? { window: job.window } : {}),
  });
  try {
    const conn = db.connection;
    const results = await readResults(conn);
    const meta = await traceMeta(conn);
    const charts = await queryCharts(conn, meta.originNs, results.exact.vcpus, job.budget, results.exact.window);
    const migration = await queryMigration(conn, meta.originNs, meta.spanNs);
    return {
      trace: {
        path: meta.path,
        format: meta.format,
        rows: meta.rows,
        span_ns: meta.spanNs,
        ...(meta.source ? { source: meta.source } : {}),
        vcpu_tids: await vcpuTids(conn, results.exact.vcpus),
      },
      results: { exact: results.exact, mutex: results.mutex, atomic: results.atomic },
      charts,
      ...(migration ? { migration } : {}),
    };
  } finally {
    db.close();
  }
}

async function queryCharts(conn: DuckDBConnection, originNs: bigint, vcpus: number, budget: number, window?: WindowReport): Promise<Charts> {
  return { timeline: await queryTimeline(conn, originNs, vcpus, budget), latency_cdf: await queryLatencyCdf(conn, vcpus, window) };
}

/** The `vcpus` relation as one thread id per vCPU index, -1 where none was declared. */
async function vcpuTids(conn: DuckDBConnection, vcpus: number): Promise<number[]> {
  const tids = new Array<number>(vcpus).fill(-1);
  const rows = (await conn.runAndReadAll('SELECT cpu, tid FROM vcpus')).getRowObjectsJS() as Array<{ cpu: number | bigint; tid: number | bigint }>;
  for (const r of rows) if (Number(r.cpu) < vcpus) tids[Number(r.cpu)] = Number(r.tid);
  return tids;
}

/**
 * What the load recorded about the trace: its path as named, format, rows,
 * `blocktime.source`, and the whole trace's time axis (in a window too:
 * offsets stay from the trace's first row).
 */
async function traceMeta(conn: DuckDBConnection): Promise<{ path: string; format: string; rows: number; source?: Record<string, unknown>; originNs: bigint; spanNs: number }> {
  const row = (
    await conn.runAndReadAll(
      `SELECT path, format, events, source::VARCHAR AS source, coalesce(first_t_ns, 0) AS origin, coalesce((max_t_ns - min_t_ns)::DOUBLE, 0) AS span
       FROM main.trace_meta`,
    )
  ).getRowObjectsJS()[0] as { path: string; format: string; events: bigint; source: string | null; origin: bigint; span: number };
  return {
    path: row.path,
    format: row.format,
    rows: Number(row.events),
    ...(row.source !== null ? { source: JSON.parse(row.source) as Record<string, unknown> } : {}),
    originNs: BigInt(row.origin),
    spanNs: row.span,
  };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
