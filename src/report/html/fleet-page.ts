/**
 * The fleet report page: one self-contained HTML file, built as the
 * single-trace page is (page.ts: its style, the inlined Vega runtime, the
 * same page script), with the fleet's cards, charts (fleet-charts.ts), the
 * table of the worst migrations (linked to their own reports when they were
 * written beside it) and the traces that failed.
 */
import type { FleetSummary, TraceFigures } from '../../fleet/summary.js';
import type { TraceDone, TraceFailed } from '../../fleet/trace-task.js';
import type { CompareResult } from '../../compare/result.js';
import { formatCount, formatDuration, formatPercent } from '../../units.js';
import type { ChartPayload } from './charts.js';
import { PAGE_SCRIPT } from './page-script.js';
import { esc, pageHead, scriptJson, vegaRuntime } from './page.js';

export interface FleetPageData {
  generator: string;
  /** What the user named (directories, patterns, files). */
  inputs: string[];
  summary: FleetSummary;
  /** The worst migrations, worst first, with the link to each one's report where it was written. */
  worst: Array<{ outcome: TraceDone; figures: TraceFigures; href?: string }>;
  /** Traces that replayed, of which `worst` are listed. */
  replayed: number;
  failed: TraceFailed[];
}

export async function renderFleetPage(d: FleetPageData, charts: ChartPayload[]): Promise<string> {
  return `${pageHead(d.generator, `blocktime fleet report: ${formatCount(d.summary.traces)} traces`, '\ntd a { color: inherit; }\n')}
<body>
<header>
<h1>blocktime fleet report</h1>
<p class="sub">${formatCount(d.summary.traces)} traces from ${d.inputs.map((i) => `<code>${esc(i)}</code>`).join(', ')}</p>
</header>
<main>
${cards(d)}
<section>
<h2>Blocktime across traces</h2>
<p class="note">Each trace's total blocktime (the time all its vCPUs were blocked at once) and its worst vCPU's blocktime, both in the <code>exact</code> design.</p>
<div class="chart" id="chart-fleet-hist"></div>
<div class="chart" id="chart-fleet-cdf"></div>
</section>
<section>
<h2>What blocktime grows with</h2>
<p class="note">Each trace's vCPU blocktime summed over its vCPUs (<code>exact</code>), against its vCPU count and against its events; colour is what produced the trace.</p>
<div class="chart" id="chart-fleet-vcpus"></div>
<div class="chart" id="chart-fleet-events"></div>
</section>
<section>
<h2>Three designs</h2>
<p class="note">Per trace, each design's vCPU blocktime sum against <code>exact</code>'s, in percent: <code>mutex</code> (QEMU 10.1 and later), <code>atomic</code> (QEMU 2.12 to 10.0); <code>exact</code> is the reference. Traces with no blocktime at all are left out.</p>
<div class="chart" id="chart-fleet-errors"></div>
</section>
<section>
<h2>Worst migrations</h2>
${worstTable(d)}
${failedList(d)}
</section>
</main>
<footer>Built by blocktime ${esc(d.generator)}.</footer>
<script id="blocktime-charts" type="application/json">${scriptJson(charts)}</script>
<script>${await vegaRuntime()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function cards(d: FleetPageData): string {
  const s = d.summary;
  const list: Array<{ key: string; value: string; detail?: string; warn?: boolean }> = [
    { key: 'traces', value: formatCount(s.traces), detail: `${formatCount(s.traces - s.failed)} replayed` },
    { key: 'failed', value: formatCount(s.failed), warn: s.failed > 0 },
  ];
  if (s.total_ns) list.push({ key: 'all vCPUs down, p50 / max', value: formatDuration(s.total_ns.p50), detail: `p90 ${formatDuration(s.total_ns.p90)}, max ${formatDuration(s.total_ns.max)}` });
  if (s.worst_vcpu_ns) list.push({ key: 'worst vCPU, p50 / max', value: formatDuration(s.worst_vcpu_ns.p50), detail: `p90 ${formatDuration(s.worst_vcpu_ns.p90)}, max ${formatDuration(s.worst_vcpu_ns.max)}` });
  return `<div class="cards">${list
    .map((c) => `<div class="card${c.warn ? ' warn' : ''}"><div class="k">${esc(c.key)}</div><div class="v">${esc(c.value)}</div>${c.detail ? `<div class="d">${esc(c.detail)}</div>` : ''}</div>`)
    .join('')}</div>`;
}

function worstTable(d: FleetPageData): string {
  if (d.worst.length === 0) return '<p class="note">No trace replayed.</p>';
  const rows = d.worst.map(({ outcome: o, figures: f, href }, i) => {
    const r = o.result as CompareResult;
    const name = href ? `<a href="${esc(href)}">${esc(o.trace)}</a>` : esc(o.trace);
    return `<tr><td>${i + 1}. <code>${name}</code></td><td>${esc(o.trace_meta.source)}</td><td>${o.trace_meta.vcpus}</td><td>${formatCount(f.events)}</td><td>${formatDuration(
      r.total.exact_ns,
    )}</td><td>${formatDuration(r.total.mutex.ns)}</td><td>${formatDuration(r.total.atomic.ns)}</td><td>${formatDuration(f.vcpu_sum_ns)}</td><td>${formatPercent(
      r.vcpu_sum.mutex.diff_ns,
      r.vcpu_sum.exact_ns,
    )}</td><td>${formatPercent(r.vcpu_sum.atomic.diff_ns, r.vcpu_sum.exact_ns)}</td><td>${formatDuration(f.worst_vcpu_ns)} (${f.worst_vcpu})</td><td>${formatDuration(f.fault_p99_ns)}</td></tr>`;
  });
  const more = d.replayed > d.worst.length ? `<p class="note">The ${d.worst.length} worst of ${formatCount(d.replayed)} traces by total blocktime (<code>exact</code>).</p>` : '';
  return `${more}<table id="worst-traces">
<thead><tr><th>trace</th><th>source</th><th>vCPUs</th><th>events</th><th>all down exact</th><th>mutex</th><th>atomic</th><th>vCPU sum exact</th><th>mutex err</th><th>atomic err</th><th>worst vCPU</th><th>p99 latency</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function failedList(d: FleetPageData): string {
  if (d.failed.length === 0) return '';
  return `<h2>Failed traces</h2>
<table id="failed-traces"><thead><tr><th>error</th></tr></thead><tbody>
${d.failed.map((f) => `<tr><td><code>${esc(f.error)}</code></td></tr>`).join('\n')}
</tbody></table>`;
}
