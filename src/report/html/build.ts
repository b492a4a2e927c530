/**
 * `buildHtmlReport`: a trace file to the HTML report, in one read of the
 * trace. Each batch goes to the replay (the three variants' figures) and into
 * DuckDB (whose views give the intervals, latencies and all-down windows the
 * charts draw), so neither re-implements the other.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { replayBatches } from '../../replay/engine.js';
import { VARIANTS, type AnalysisResult } from '../../replay/result.js';
import { createTraceTables, writeTraceMeta } from '../../sql/trace-tables.js';
import { EventAppender } from '../../sql/event-appender.js';
import { createViews } from '../../sql/views.js';
import type { TraceBatch } from '../../trace/batch.js';
import { openTrace } from '../../trace/open.js';
import type { OpenOptions, TraceSource } from '../../trace/source.js';
import { buildCharts } from './charts.js';
import { queryLatencyCdf } from './latency-cdf-query.js';
import { renderPage } from './page.js';
import type { ReportData } from './report-data.js';
import { queryTimeline, TIMELINE_BAR_BUDGET } from './timeline-query.js';

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
  // DuckDB spills to disk past its memory limit: into a directory of ours, not the user's working directory.
  const spill = await mkdtemp(join(tmpdir(), 'blocktime-report-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: spill });
  const conn = await instance.connect();
  try {
    await createTraceTables(conn);
    const appender = await EventAppender.open(conn);
    const outcome = await replayBatches(source.meta, tee(source.batches(), appender), [...VARIANTS], {
      file: source.path,
      ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
      ...(opts.onRows ? { onProgress: opts.onRows } : {}),
    });
    appender.close();
    const results = outcome.results as Record<(typeof VARIANTS)[number], AnalysisResult>;
    const vcpus = results.exact.vcpus;
    await writeTraceMeta(conn, {
      path: source.path,
      format: source.format,
      pageSize: results.exact.page_size,
      vcpus,
      ...(source.meta.startNs !== undefined ? { startNs: source.meta.startNs } : {}),
      ...(source.meta.source ? { source: JSON.stringify(source.meta.source) } : {}),
      events: outcome.timing.events,
    });
    await createViews(conn);
    const span = await traceSpan(conn);
    const data: ReportData = {
      generator: await packageVersion(),
      trace: {
        path: source.path,
        format: source.format,
        page_size: results.exact.page_size,
        vcpus,
        rows: outcome.timing.events,
        span_ns: span.spanNs,
        ...(source.meta.source ? { source: source.meta.source } : {}),
      },
      results: { exact: results.exact, mutex: results.mutex, atomic: results.atomic },
      timeline: await queryTimeline(conn, { originNs: span.originNs, vcpus, budget: opts.timelineBars ?? TIMELINE_BAR_BUDGET }),
      latency_cdf: await queryLatencyCdf(conn, vcpus),
    };
    return { html: await renderPage(data, buildCharts(data)), data };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}

/** Appends each batch to DuckDB before the replay sees it (the appender copies, so the reader may reuse the batch afterwards). */
async function* tee(batches: AsyncIterable<TraceBatch>, appender: EventAppender): AsyncIterable<TraceBatch> {
  for await (const b of batches) {
    appender.append(b);
    yield b;
  }
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
