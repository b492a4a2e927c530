/**
 * The report page: one self-contained HTML file. Cards and tables are plain
 * HTML written here; the charts are drawn in the browser by the Vega runtime,
 * inlined, from the specs and data embedded as JSON. Nothing is fetched when
 * the page is opened.
 */
import { readFile } from 'node:fs/promises';
import { VARIANTS, type AnalysisResult, type LatencyStats, type VariantName } from '../../replay/result.js';
import { formatCount, formatDuration, formatPercent } from '../../units.js';
import { describeSource } from '../source-summary.js';
import { selectVcpus, selectionNotes, type VcpuKeys, type VcpuOptionValues } from '../vcpu-selection.js';
import type { ChartPayload } from './charts.js';
import { PAGE_SCRIPT } from './page-script.js';
import type { ReportData } from './report-data.js';
import { describeWindow } from '../../replay/window.js';

/** The Vega runtime as a browser script (its UMD build defines `vega`). */
export async function vegaRuntime(): Promise<string> {
  // The package's entry point is build/vega.module.js; its UMD build sits beside it.
  return readFile(new URL('vega.min.js', import.meta.resolve('vega')), 'utf8');
}

/** `view`: the vCPUs the per-vCPU table shows (--cpu, --tid, --sort, --top; all of them by default). */
/** The document's start to its `</head>`, the same for every page of ours; `css`: rules of the page's own. */
export function pageHead(generator: string, title: string, css = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="blocktime ${esc(generator)}">
<title>${esc(title)}</title>
<style>${CSS}${css}</style>
</head>`;
}

export async function renderPage(d: ReportData, charts: ChartPayload[], view: VcpuOptionValues = {}): Promise<string> {
  const noFaults = d.results.exact.events.fault === 0;
  const title = `blocktime report: ${d.trace.path}`;
  return `${pageHead(d.generator, title)}
<body>
<header>
<h1>blocktime report</h1>
<p class="sub"><code>${esc(d.trace.path)}</code> &middot; ${esc(d.trace.format)} &middot; ${formatCount(d.trace.rows)} rows over ${formatDuration(d.trace.span_ns)}${sourceLine(d)}</p>
${d.results.exact.window ? `<p class="sub">${esc(describeWindow(d.results.exact.window))}; the timeline is clipped to it</p>\n` : ''}</header>
<main>
${cards(d)}
${noFaults ? noFaultSection(d) : chartSections(d, view)}
<section>
<h2>Anomalies and diagnostics</h2>
${anomalyTable(d)}
${faultTable(d)}
${diagnostics(d)}
</section>
</main>
<footer>Built by blocktime ${esc(d.generator)}. Times are offsets from the trace's first row.</footer>
<script id="blocktime-charts" type="application/json">${scriptJson(noFaults ? [] : charts)}</script>
<script>${await vegaRuntime()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** The timeline, latency and design sections: charts, with the tables that give their figures. */
function chartSections(d: ReportData, view: VcpuOptionValues): string {
  return `<section>
<h2>Timeline</h2>
<p class="note">Each vCPU's blocked time (the <code>exact</code> intervals: a fault's wait ends at its page's resolve or at its thread's next fault); red bands are the windows when every vCPU was blocked at once${d.migration?.phases.name.length ? '; shaded bands are the migration\'s phases (<code>migrate_set_state</code>)' : ''}${d.migration?.windows_ns.length ? '; dashed rules mark where the source\'s rate-limit windows start (<code>migrate_transferred</code>)' : ''}. Drag to pan, scroll to zoom, double-click to reset.${timelineNote(d)}</p>
<div class="chart" id="chart-timeline"></div>
</section>
<section>
<h2>Fault latency</h2>
<p class="note">QEMU's log2 histogram (<code>postcopy-latency-dist</code>): the <code>mutex</code> design measures each fault to its page's resolve; <code>exact</code> ends a wait earlier when its thread faulted again first.</p>
<div class="chart" id="chart-histogram"></div>
<p class="note">Latency CDF per vCPU (<code>exact</code>; faults still open at the end left out)${cdfNote(d)}. Scroll to zoom.</p>
<div class="chart" id="chart-cdf"></div>
</section>
${whereTimeGoes(d)}<section>
<h2>Three designs</h2>
<p class="note">Blocktime as each design accounts it: <code>exact</code> (the union of the waits the trace shows), <code>mutex</code> (QEMU 10.1 and later), <code>atomic</code> (QEMU 2.12 to 10.0, milliseconds).</p>
<div class="chart" id="chart-comparison"></div>
${designTable(d)}
${vcpuTable(d, view)}
</section>
`;
}

/** What a trace without a single fault row gets instead of empty charts. */
function noFaultSection(d: ReportData): string {
  const t = d.trace;
  return `<section>
<h2>No faults</h2>
<p class="note">This trace has no fault rows: no vCPU waited for a page, so there is no timeline, latency or blocktime to draw (${formatCount(t.rows)} rows: ${formatCount(
    d.results.exact.events.vcpu,
  )} vCPU declarations, ${formatCount(d.results.exact.events.resolve)} resolves). Every design reports a total blocktime of 0.</p>
</section>`;
}

const CSS = `
:root { --fg: #1a202c; --muted: #5a6577; --line: #e2e8f0; --card: #f7fafc; --warn: #c05621; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1040px; padding: 24px; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub, .note, footer { color: var(--muted); }
.sub code { word-break: break-all; }
.note { margin: 6px 0 10px; max-width: 900px; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin-top: 18px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .d { color: var(--muted); font-size: 12px; }
.card.warn { border-color: var(--warn); }
.card.warn .v { color: var(--warn); }
.chart { overflow-x: auto; min-height: 40px; }
table { border-collapse: collapse; margin: 10px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 600; }
td.nonzero { color: var(--warn); font-weight: 600; }
details { margin: 10px 0; }
footer { margin-top: 40px; font-size: 12px; }
@media print { body { max-width: none; } section { break-inside: avoid; } .chart { overflow: visible; } }
`;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON inside a <script>: `<` escaped so that no string in it can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The trace's source as a short line; its full JSON in the tooltip. */
function sourceLine(d: ReportData): string {
  const s = d.trace.source;
  if (!s) return '';
  return `<br><span class="source" title="${esc(JSON.stringify(s))}">source: ${esc(describeSource(s))}</span>`;
}

function timelineNote(d: ReportData): string {
  const t = d.timeline;
  const counts = ` ${formatCount(t.interval_count)} blocked intervals, ${formatCount(t.all_down_count)} all-down windows.`;
  if (t.resolution_ns === 0) return `${counts} Every interval is drawn as it is.`;
  return `${counts} Downsampled for drawing into bins of ${formatDuration(t.resolution_ns)}: one bar per bin in which a vCPU was blocked, paler the less of the bin it was blocked (its tooltip gives the exact blocked time and the intervals it touches).`;
}

function cdfNote(d: ReportData): string {
  const faults = d.results.exact.latency?.vcpu.reduce((a, s) => a + s.count, 0) ?? 0;
  return faults > d.latency_cdf.cpu.length ? `, ${formatCount(faults)} faults drawn through ${formatCount(d.latency_cdf.cpu.length)} exact points at evenly spaced ranks` : '';
}

interface Card {
  key: string;
  value: string;
  detail?: string;
  warn?: boolean;
}

/** With the source's log (import qemu-log --source): the served faults' legs. */
function whereTimeGoes(d: ReportData): string {
  const legs = d.migration?.legs;
  if (!legs) return '';
  return `<section>
<h2>Where the time goes</h2>
<p class="note">The ${formatCount(legs.served)} served faults followed across both QEMU logs (<code>fault_legs</code>, docs/latency.md): request transit (destination to source), the wait in the source's queue, and page transit with placement. Each leg summed per vCPU:</p>
<div class="chart" id="chart-legs-vcpu"></div>
<p class="note">Each leg's CDF over the served faults. Scroll to zoom.</p>
<div class="chart" id="chart-legs-cdf"></div>
</section>
`;
}

function cards(d: ReportData): string {
  const { exact, mutex, atomic } = d.results;
  const overall: LatencyStats | undefined = exact.latency?.overall;
  const anomalies = VARIANTS.reduce((a, v) => Math.max(a, anomalyCount(d.results[v])), 0);
  const background = exact.anomalies.resolve_without_fault ?? 0;
  const list: Card[] = [
    {
      key: 'total blocktime (exact)',
      value: formatDuration(exact.total_blocktime_ns),
      detail: `every vCPU blocked at once; mutex ${formatDuration(mutex.total_blocktime_ns)}, atomic ${formatDuration(atomic.total_blocktime_ns)}`,
    },
    {
      key: 'sum of vCPU blocktimes (exact)',
      value: formatDuration(sum(exact.vcpu_blocktime_ns)),
      detail: `mutex ${formatDuration(sum(mutex.vcpu_blocktime_ns))}, atomic ${formatDuration(sum(atomic.vcpu_blocktime_ns))}`,
    },
    { key: 'vCPUs', value: formatCount(exact.vcpus), detail: `page size ${formatCount(exact.page_size)} bytes` },
    { key: 'faults counted', value: formatCount(exact.faults.counted), detail: `${formatCount(exact.events.fault)} fault rows, ${formatCount(exact.events.resolve)} resolves` },
    ...(overall && overall.count > 0
      ? [
          {
            key: 'fault latency p50 (exact)',
            value: formatDuration(overall.p50_ns),
            detail: `p99 ${formatDuration(overall.p99_ns)}, p99.9 ${formatDuration(overall.p999_ns)}, mean ${formatDuration(overall.mean_ns)}`,
          },
          { key: 'longest wait (exact)', value: formatDuration(overall.max_ns), detail: `of ${formatCount(overall.count)} resolved waits` },
        ]
      : [{ key: 'fault latency (exact)', value: 'none', detail: exact.events.fault === 0 ? 'the trace has no faults' : 'no wait ended in the trace' }]),
    {
      key: 'open at the end',
      value: formatCount(exact.open_at_end?.count ?? exact.faults.unresolved),
      detail: exact.open_at_end && exact.open_at_end.count > 0 ? `oldest ${formatDuration(exact.open_at_end.max_age_ns)}` : 'every wait ended',
      warn: (exact.open_at_end?.count ?? 0) > 0,
    },
    {
      key: 'anomalies',
      value: formatCount(anomalies),
      detail: `${anomalies > 0 ? 'see below; ' : ''}${formatCount(background)} background placements`,
      warn: anomalies > 0,
    },
  ];
  return `<div class="cards">${list
    .map((c) => `<div class="card${c.warn ? ' warn' : ''}"><div class="k">${esc(c.key)}</div><div class="v">${esc(c.value)}</div>${c.detail ? `<div class="d">${esc(c.detail)}</div>` : ''}</div>`)
    .join('')}</div>`;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Suspicious things only: resolves nobody asked for are the background stream, normal in postcopy. */
function anomalyCount(r: AnalysisResult): number {
  const { negative_duration, over_255_outstanding, time_out_of_range } = r.anomalies;
  return negative_duration + over_255_outstanding + (time_out_of_range ?? 0);
}

function table(head: string[], rows: string[][], caption?: string): string {
  const cap = caption ? `<caption>${esc(caption)}</caption>` : '';
  return `<table>${cap}<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function cell(n: number, format: (n: number) => string = formatCount): string {
  return n !== 0 ? `<span class="nonzero">${esc(format(n))}</span>` : '0';
}

function designTable(d: ReportData): string {
  const exact = d.results.exact;
  const row = (v: VariantName): string[] => {
    const r = d.results[v];
    return [
      v,
      formatDuration(r.total_blocktime_ns),
      formatPercent(r.total_blocktime_ns - exact.total_blocktime_ns, exact.total_blocktime_ns),
      formatDuration(sum(r.vcpu_blocktime_ns)),
      formatPercent(sum(r.vcpu_blocktime_ns) - sum(exact.vcpu_blocktime_ns), sum(exact.vcpu_blocktime_ns)),
    ].map(esc);
  };
  return table(['design', 'total', 'vs exact', 'sum over vCPUs', 'vs exact'], VARIANTS.map(row), 'total: every vCPU blocked at once; sum: the per-vCPU blocktimes added up');
}

/** What --sort and --top rank the report's table by: the exact figures. */
function reportKeys(d: ReportData): VcpuKeys {
  const exact = d.results.exact;
  const tids = d.trace.vcpu_tids;
  return {
    blocktime: (i) => exact.vcpu_blocktime_ns[i] ?? 0,
    faults: (i) => exact.vcpu_faults[i] ?? 0,
    latency: (i) => exact.latency?.vcpu[i]?.mean_ns ?? 0,
    ...(tids ? { tidOf: (i: number) => (tids[i]! >= 0 ? tids[i] : undefined) } : {}),
  };
}

function vcpuTable(d: ReportData, view: VcpuOptionValues): string {
  const n = d.trace.vcpus;
  // Folded away by default, so every vCPU is listed unless --top cuts it.
  const sel = selectVcpus(n, { ...view, all: view.all === true || view.top === undefined }, reportKeys(d));
  const blocktimes = (cpus: readonly number[]): string[] => DESIGNS.map((v) => formatDuration(cpus.reduce((a, c) => a + (d.results[v].vcpu_blocktime_ns[c] ?? 0), 0)));
  const faults = (cpus: readonly number[]): string => formatCount(cpus.reduce((a, c) => a + (d.results.exact.vcpu_faults[c] ?? 0), 0));
  const rows: string[][] = sel.shown.map((c) => {
    const s = d.results.exact.latency?.vcpu[c];
    const stat = (ns: number | undefined): string => (s && s.count > 0 && ns !== undefined ? formatDuration(ns) : '-');
    return [String(c), faults([c]), ...blocktimes([c]), stat(s?.p50_ns), stat(s?.p99_ns), stat(s?.p999_ns), stat(s?.max_ns)].map(esc);
  });
  if (sel.rest) rows.push([`${formatCount(sel.rest.length)} more`, faults(sel.rest), ...blocktimes(sel.rest), '', '', '', ''].map(esc));
  const every = Array.from({ length: n }, (_, i) => i);
  rows.push(['sum', faults(every), ...blocktimes(every), '', '', '', ''].map(esc));
  const notes = selectionNotes(sel, n).map((line) => `<p class="note">${esc(line.trim())}</p>`).join('');
  const count = sel.kept || sel.rest ? `${formatCount(sel.shown.length)} of ${formatCount(n)}` : formatCount(n);
  return `<details><summary>Per vCPU (${count})</summary>${table(['vCPU', 'faults', 'exact', 'mutex', 'atomic', 'p50', 'p99', 'p99.9', 'max'], rows)}${notes}</details>`;
}

const DESIGNS: VariantName[] = ['exact', 'mutex', 'atomic'];

const ANOMALY_TEXT: Record<keyof AnalysisResult['anomalies'], string> = {
  negative_duration: 'negative durations (a resolve timed before its fault; counted as 0)',
  over_255_outstanding: 'more than 255 faults outstanding on one vCPU (QEMU asserts)',
  resolve_without_fault: 'resolves of pages no fault asked for (background placements)',
  time_out_of_range: 'times more than 2^53 ns from the first row',
};

/** One row per counter, named by `text`, one column per design. */
function countsByDesign<K extends string>(title: string, text: Record<K, string>, value: (k: K, v: VariantName) => string): string {
  const keys = Object.keys(text) as K[];
  return table([title, ...DESIGNS], keys.map((k) => [esc(text[k]), ...DESIGNS.map((v) => value(k, v))]));
}

function anomalyTable(d: ReportData): string {
  // Resolves without a fault are background placements, not a problem: not highlighted.
  return countsByDesign('anomaly', ANOMALY_TEXT, (k, v) =>
    k === 'resolve_without_fault' ? esc(formatCount(d.results[v].anomalies[k] ?? 0)) : cell(d.results[v].anomalies[k] ?? 0),
  );
}

const FAULT_TEXT: Record<keyof AnalysisResult['faults'], string> = {
  counted: 'counted',
  no_tid: 'ignored: thread id 0',
  already_received: 'ignored: page already received',
  non_vcpu: 'from threads that are not vCPUs',
  unresolved: 'unresolved at the end',
};

function faultTable(d: ReportData): string {
  return countsByDesign('fault rows', FAULT_TEXT, (k, v) => esc(formatCount(d.results[v].faults[k])));
}

function diagnostics(d: ReportData): string {
  const a = d.results.atomic.diagnostics;
  if (!a) return '';
  const rows: string[][] = [
    ['faults whose slot a later fault of the same vCPU overwrote', cell(a.overwritten)],
    ['faults on received pages, injected then erased', cell(a.erased)],
    ['erases that lost a still-blocked vCPU', cell(a.lost_blocked_vcpu)],
    ['faults of non-vCPU threads, not tracked', cell(a.ignored_non_vcpu)],
  ];
  return table(['atomic design (QEMU 2.12 to 10.0)', 'count'], rows);
}
