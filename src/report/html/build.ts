/**
 * `buildHtmlReport`: a trace to the HTML report, in one read of the trace
 * (src/sql/trace-database.ts): the replay gives the three variants' figures,
 * DuckDB's views the intervals, latencies and all-down windows the charts
 * draw, so neither re-implements the other.
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { OpenOptions } from '../../formats/open.js';
import { readResults } from '../../sql/trace-tables.js';
import { openTraceDatabase } from '../../sql/trace-database.js';
import type { Relation } from '../../sql/relations.js';
import type { TraceSource } from '../../trace/source.js';
import type { TraceWindow } from '../../replay/window.js';
import { buildCharts } from './charts.js';
import { queryLatencyCdf } from './latency-cdf-query.js';
import { queryMigration } from './migration-query.js';
import { renderPage } from './page.js';
import type { ReportData } from './report-data.js';
import { queryTimeline, TIMELINE_BAR_BUDGET } from './timeline-query.js';
import type { VcpuOptionValues } from '../vcpu-selection.js';

/** What the report reads. */
const REPORT_RELATIONS: readonly Relation[] = ['trace_meta', 'vcpus', 'analysis', 'faults', 'blocked_intervals', 'all_down_intervals', 'phases', 'fault_legs'];

export interface HtmlReportOptions extends OpenOptions {
  /** Bars the timeline draws at most (about); more intervals are merged (see timeline-query.ts). */
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

/** The report of a trace file, or of an open source (read once; the caller closes it). */
export async function buildHtmlReport(trace: string | TraceSource, opts: HtmlReportOptions = {}): Promise<HtmlReport> {
  const { timelineBars, onRows, window, view, ...open } = opts;
  // Not `events`: copying every row into DuckDB would cost more than the rest of the report.
  const db = await openTraceDatabase(trace, {
    open,
    build: { relations: REPORT_RELATIONS },
    ...(onRows ? { onProgress: onRows } : {}),
    ...(window ? { window } : {}),
  });
  try {
    return await reportFromDatabase(db.connection, timelineBars ?? TIMELINE_BAR_BUDGET, view ?? {});
  } finally {
    db.close();
  }
}

async function reportFromDatabase(conn: DuckDBConnection, timelineBars: number, view: VcpuOptionValues): Promise<HtmlReport> {
  const results = await readResults(conn);
  const vcpus = results.exact.vcpus;
  const meta = await traceMeta(conn);
  const span = await traceSpan(conn);
  const data: ReportData = {
    generator: await packageVersion(),
    trace: {
      path: meta.path,
      format: meta.format,
      page_size: results.exact.page_size,
      vcpus,
      rows: meta.rows,
      span_ns: span.spanNs,
      ...(meta.source ? { source: meta.source } : {}),
      vcpu_tids: await vcpuTids(conn, vcpus),
    },
    results: { exact: results.exact, mutex: results.mutex, atomic: results.atomic },
    timeline: await queryTimeline(conn, { originNs: span.originNs, vcpus, budget: timelineBars }),
    latency_cdf: await queryLatencyCdf(conn, vcpus, results.exact.window),
  };
  const migration = await queryMigration(conn, span.originNs, span.spanNs);
  if (migration) data.migration = migration;
  return { html: await renderPage(data, await buildCharts(data), view), data };
}

/** The `vcpus` view as one thread id per vCPU index, -1 where none was declared. */
async function vcpuTids(conn: DuckDBConnection, vcpus: number): Promise<number[]> {
  const tids = new Array<number>(vcpus).fill(-1);
  const rows = (await conn.runAndReadAll('SELECT cpu, tid FROM vcpus')).getRowObjectsJS() as Array<{ cpu: number | bigint; tid: number | bigint }>;
  for (const r of rows) if (Number(r.cpu) < vcpus) tids[Number(r.cpu)] = Number(r.tid);
  return tids;
}

/** What the load recorded about the trace: its path as named, format, rows, and `blocktime.source`. */
async function traceMeta(conn: DuckDBConnection): Promise<{ path: string; format: string; rows: number; source?: Record<string, unknown> }> {
  const row = (await conn.runAndReadAll('SELECT path, format, events, source::VARCHAR AS source FROM trace_meta')).getRowObjectsJS()[0] as {
    path: string;
    format: string;
    events: bigint;
    source: string | null;
  };
  return { path: row.path, format: row.format, rows: Number(row.events), ...(row.source !== null ? { source: JSON.parse(row.source) as Record<string, unknown> } : {}) };
}

/** The whole trace's, in a window too: offsets stay from the trace's first row. */
async function traceSpan(conn: DuckDBConnection): Promise<{ originNs: bigint; spanNs: number }> {
  const row = (
    await conn.runAndReadAll('SELECT coalesce(first_t_ns, 0) AS origin, coalesce((max_t_ns - min_t_ns)::DOUBLE, 0) AS span FROM main.trace_meta')
  ).getRowObjectsJS()[0] as { origin: bigint; span: number };
  return { originNs: BigInt(row.origin), spanNs: row.span };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
