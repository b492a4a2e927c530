/**
 * `buildHtmlReport`: a trace file to the HTML report, in one read of the
 * trace (trace-database.ts): the replay gives the three variants' figures,
 * DuckDB's views the intervals, latencies and all-down windows the charts
 * draw, so neither re-implements the other.
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openTrace, type OpenOptions } from '../../formats/open.js';
import type { TraceSource } from '../../trace/source.js';
import { buildCharts } from './charts.js';
import { queryLatencyCdf } from './latency-cdf-query.js';
import { renderPage } from './page.js';
import type { ReportData } from './report-data.js';
import { queryTimeline, TIMELINE_BAR_BUDGET } from './timeline-query.js';
import { loadTrace, type LoadedTrace } from './trace-database.js';

export interface HtmlReportOptions extends OpenOptions {
  /** Bars the timeline draws at most (about); more intervals are merged (see timeline-query.ts). */
  timelineBars?: number;
  /** Called with the rows read so far. */
  onRows?(rows: number): void;
}

export interface HtmlReport {
  html: string;
  data: ReportData;
}

export async function buildHtmlReport(path: string, opts: HtmlReportOptions = {}): Promise<HtmlReport> {
  const source = await openTrace(path, opts);
  try {
    return await reportFromSource(source, opts);
  } finally {
    await source.close();
  }
}

/** The report of an open trace (read once; the caller closes it). */
export async function reportFromSource(source: TraceSource, opts: HtmlReportOptions = {}): Promise<HtmlReport> {
  const db = await loadTrace(source, opts.onRows ? { onRows: opts.onRows } : {});
  try {
    return await reportFromDatabase(db, source, opts);
  } finally {
    await db.close();
  }
}

async function reportFromDatabase(db: LoadedTrace, source: TraceSource, opts: HtmlReportOptions): Promise<HtmlReport> {
  const { connection: conn, results } = db;
  const vcpus = results.exact.vcpus;
  const span = await traceSpan(conn);
  const data: ReportData = {
    generator: await packageVersion(),
    trace: {
      path: source.path,
      format: source.format,
      page_size: results.exact.page_size,
      vcpus,
      rows: db.summary.events,
      span_ns: span.spanNs,
      ...(source.meta.source ? { source: source.meta.source } : {}),
    },
    results: { exact: results.exact, mutex: results.mutex, atomic: results.atomic },
    timeline: await queryTimeline(conn, { originNs: span.originNs, vcpus, budget: opts.timelineBars ?? TIMELINE_BAR_BUDGET }),
    latency_cdf: await queryLatencyCdf(conn, vcpus),
  };
  return { html: await renderPage(data, await buildCharts(data)), data };
}

async function traceSpan(conn: DuckDBConnection): Promise<{ originNs: bigint; spanNs: number }> {
  const row = (
    await conn.runAndReadAll('SELECT coalesce((SELECT t_ns FROM events WHERE seq = 0), 0) AS origin, coalesce((max(t_ns) - min(t_ns))::DOUBLE, 0) AS span FROM events')
  ).getRowObjectsJS()[0] as { origin: bigint; span: number };
  return { originNs: BigInt(row.origin), spanNs: row.span };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
