/**
 * `blocktime report` over many traces: every trace compared in the three
 * designs (fleet/run.ts, `--jobs` at a time), the fleet page built from the
 * rows, and with `perTraceDir` each of the worst migrations' own report
 * (build.ts) written there, for the page to link to.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, relative, dirname } from 'node:path';
import type { OpenOptions } from '../../formats/open.js';
import { asWriteError } from '../../errors.js';
import { runFleet } from '../../fleet/run.js';
import { rankTraces } from '../../fleet/sort.js';
import { isCompare, summarizeFleet } from '../../fleet/summary.js';
import type { TraceDone, TraceFailed } from '../../fleet/trace-task.js';
import { writeOutputFile } from '../../output-file.js';
import { buildHtmlReport } from './build.js';
import { buildFleetCharts, type FleetPoint } from './fleet-charts.js';
import { renderFleetPage, type FleetPageData } from './fleet-page.js';

/** Worst migrations listed by default. */
export const FLEET_WORST_ROWS = 20;

export interface FleetReportOptions {
  /** What the user named, for the page's heading. */
  inputs: string[];
  open: OpenOptions;
  jobs?: number;
  /** Worst migrations listed (default FLEET_WORST_ROWS). */
  top?: number;
  /** Where the page will be written: per-trace links are relative to it. */
  output: string;
  /** Write each listed trace's report into this directory. */
  perTraceDir?: string;
  onWarning?(message: string): void;
  onProgress?(done: number, total: number): void;
  /** Called before each per-trace report is built, with its number and the count. */
  onPerTrace?(index: number, count: number, trace: string): void;
}

export interface FleetReport {
  html: string;
  failed: TraceFailed[];
  /** The per-trace reports written. */
  perTrace: string[];
}

export async function buildFleetReport(paths: readonly string[], opts: FleetReportOptions): Promise<FleetReport> {
  const outcomes = await runFleet(
    paths,
    { mode: 'compare', variant: 'exact', explain: 0, open: opts.open },
    { ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}), ...(opts.onWarning ? { onWarning: opts.onWarning } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) },
  );
  const done = outcomes.filter((o): o is TraceDone => o.ok);
  const failed = outcomes.filter((o): o is TraceFailed => !o.ok);
  const worst: FleetPageData['worst'] = rankTraces(done, 'total', opts.top ?? FLEET_WORST_ROWS);
  const perTrace: string[] = [];
  if (opts.perTraceDir !== undefined) {
    await mkdir(opts.perTraceDir, { recursive: true }).catch((err: unknown) => {
      throw asWriteError(err, opts.perTraceDir!);
    });
    for (const [i, row] of worst.entries()) {
      opts.onPerTrace?.(i, worst.length, row.outcome.trace);
      const file = join(opts.perTraceDir, `${String(i + 1).padStart(3, '0')}-${basename(row.outcome.trace).replace(/[^\w.-]+/g, '_')}.html`);
      await writeOutputFile(file, (await buildHtmlReport(row.outcome.trace, opts.open)).html);
      perTrace.push(file);
      row.href = relative(dirname(opts.output), file).split('\\').join('/');
    }
  }
  const data: FleetPageData = { generator: await packageVersion(), inputs: opts.inputs, summary: summarizeFleet(outcomes), worst, replayed: done.length, failed };
  const html = await renderFleetPage(data, await buildFleetCharts(done.map(point)));
  return { html, failed, perTrace };
}

function point(o: TraceDone): FleetPoint {
  const r = o.result;
  if (!isCompare(r)) throw new Error('a fleet report row is a comparison');
  const sum = r.vcpu_sum;
  const pct = (diff: number): number | null => (sum.exact_ns === 0 ? null : (100 * diff) / sum.exact_ns);
  let worst = 0;
  for (const ns of r.results.exact.vcpu_blocktime_ns) worst = Math.max(worst, ns);
  return {
    trace: o.trace,
    source: o.trace_meta.source,
    source_group: o.trace_meta.source_group,
    vcpus: o.trace_meta.vcpus,
    events: r.events.vcpu + r.events.fault + r.events.resolve,
    total_ms: r.total.exact_ns / 1e6,
    worst_ms: worst / 1e6,
    sum_ms: sum.exact_ns / 1e6,
    mutex_err_pct: pct(sum.mutex.diff_ns),
    atomic_err_pct: pct(sum.atomic.diff_ns),
  };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
