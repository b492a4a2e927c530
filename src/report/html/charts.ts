/**
 * The report's charts as Vega-Lite specs, compiled to Vega when the report is
 * built (so the page carries only the Vega runtime) and rendered in the page
 * as SVG. The large datasets (timeline runs, CDF points) are named here and
 * filled in by the page from columnar JSON; small ones are inlined.
 */
import type { TopLevelSpec } from 'vega-lite';
import { LATENCY_BUCKETS, VARIANTS, type AnalysisResult, type VariantName } from '../../replay/result.js';
import { bucketLabel } from '../histogram.js';
import { CHART_WIDTH_PX, type ReportData } from './report-data.js';

/** One chart of the page: where it goes, its compiled Vega spec, and its named datasets as columns. */
export interface ChartPayload {
  id: string;
  spec: object;
  data: Record<string, Record<string, number[]>>;
}

const WIDTH = CHART_WIDTH_PX;
/** Design colours, the same in every chart: exact is the reference. */
const DESIGN_COLORS: Record<VariantName, string> = { exact: '#2b6cb0', mutex: '#dd6b20', atomic: '#805ad5' };
const DESIGN_ORDER: VariantName[] = ['exact', 'mutex', 'atomic'];
const designScale = { domain: DESIGN_ORDER, range: DESIGN_ORDER.map((v) => DESIGN_COLORS[v]) };

export async function buildCharts(d: ReportData): Promise<ChartPayload[]> {
  // Loaded on first use: vega-lite imports vega, whose Node build awaits at
  // top level, which would keep require() (tslab's kernel) from loading this package.
  const { compile } = await import('vega-lite');
  const toVega = (spec: TopLevelSpec): object => compile(spec).spec;
  const charts = [timelineChart(d, toVega), histogramChart(d, toVega), cdfChart(d, toVega), comparisonChart(d, toVega)];
  if (d.migration?.legs) charts.push(legsByVcpuChart(d, toVega), legsCdfChart(d, toVega));
  return charts;
}

/** The legs in path order, with their colours: the same in both charts of "where the time goes". */
const LEG_ORDER = ['request_transit', 'source_queue_wait', 'source_and_transit', 'page_transit'];
const LEG_LABELS = ['request transit', 'source queue wait', 'source + transit', 'page transit + placement'];
const legScale = { domain: LEG_LABELS, range: ['#3182ce', '#dd6b20', '#b7791f', '#38a169'] };
/** The datasets carry numbers only: a leg is its index in LEG_ORDER. */
const legLabel = { calculate: `${JSON.stringify(LEG_LABELS)}[datum.leg]`, as: 'leg_label' };

function legIndexes(legs: readonly string[]): number[] {
  return legs.map((leg) => LEG_ORDER.indexOf(leg));
}

function legsByVcpuChart(d: ReportData, toVega: ToVega): ChartPayload {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 260,
    data: { name: 'legs' },
    transform: [legLabel, { calculate: 'datum.ns / 1e6', as: 'ms' }, { calculate: "datum.cpu < 0 ? 'other' : 'vCPU ' + datum.cpu", as: 'who' }],
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'who', type: 'ordinal', sort: { field: 'cpu' }, title: null },
      y: { field: 'ms', type: 'quantitative', title: 'time in each leg, summed over served faults (ms)', stack: 'zero' },
      color: { field: 'leg_label', type: 'nominal', scale: legScale, title: 'leg' },
      order: { field: 'leg' },
      tooltip: [
        { field: 'who', title: 'who' },
        { field: 'leg_label', title: 'leg' },
        { field: 'ms', title: 'sum (ms)', format: ',.6f' },
      ],
    },
  };
  const legs = d.migration!.legs!.per_vcpu;
  return { id: 'chart-legs-vcpu', spec: toVega(spec), data: { legs: { cpu: legs.cpu, leg: legIndexes(legs.leg), ns: legs.ns } } };
}

function legsCdfChart(d: ReportData, toVega: ToVega): ChartPayload {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 300,
    data: { name: 'legcdf' },
    // A log scale cannot show 0 or less: such a leg (a clock offset's error) is drawn at 1 ns.
    transform: [legLabel, { calculate: 'max(datum.ns, 1) / 1e3', as: 'us' }],
    params: [{ name: 'legzoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
    mark: { type: 'line', interpolate: 'step-after', clip: true },
    encoding: {
      x: { field: 'us', type: 'quantitative', scale: { type: 'log' }, title: 'leg (us, log scale)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of served faults at or below', scale: { domain: [0, 1] } },
      color: { field: 'leg_label', type: 'nominal', scale: legScale, title: 'leg' },
      tooltip: [
        { field: 'leg_label', title: 'leg' },
        { field: 'ns', title: 'ns', format: ',d' },
        { field: 'fraction', title: 'at or below', format: '.2%' },
      ],
    },
  };
  const cdf = d.migration!.legs!.cdf;
  return { id: 'chart-legs-cdf', spec: toVega(spec), data: { legcdf: { leg: legIndexes(cdf.leg), ns: cdf.ns, fraction: cdf.fraction } } };
}

type ToVega = (spec: TopLevelSpec) => object;

const msFields = [
  { calculate: 'datum.start_ns / 1e6', as: 'start_ms' },
  { calculate: 'datum.end_ns / 1e6', as: 'end_ms' },
  { calculate: 'datum.blocked_ns / 1e6', as: 'blocked_ms' },
];

function timelineChart(d: ReportData, toVega: ToVega): ChartPayload {
  const n = d.trace.vcpus;
  const rowHeight = n <= 16 ? 22 : n <= 64 ? 10 : 4;
  const x = {
    field: 'start_ms',
    type: 'quantitative' as const,
    title: 'time since the first row (ms)',
    axis: { grid: false },
    scale: { nice: false, zero: false },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: Math.max(40, n * rowHeight),
    // Bars and all-down bands fade by their blocked share, each on its own opacity range.
    resolve: { scale: { opacity: 'independent' } },
    layer: [
      ...phaseLayer(d),
      {
        data: { name: 'blocked' },
        transform: [
          ...msFields,
          { calculate: 'datum.end_ns > datum.start_ns ? datum.blocked_ns / (datum.end_ns - datum.start_ns) : 1', as: 'share' },
        ],
        params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
        mark: { type: 'rect', color: DESIGN_COLORS.exact, clip: true },
        encoding: {
          x,
          x2: { field: 'end_ms' },
          y: { field: 'cpu', type: 'ordinal', title: 'vCPU', axis: n > 64 ? { labels: false, ticks: false } : {} },
          opacity: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], range: [0.25, 1] }, legend: null },
          tooltip: [
            { field: 'cpu', title: 'vCPU' },
            { field: 'start_ms', title: 'from (ms)', format: ',.6f' },
            { field: 'end_ms', title: 'to (ms)', format: ',.6f' },
            { field: 'blocked_ms', title: 'blocked (ms)', format: ',.6f' },
            { field: 'intervals', title: 'intervals' },
          ],
        },
      },
      // Over the bars, translucent, so that a window shows across every vCPU row.
      {
        data: { name: 'all_down' },
        transform: [
          ...msFields,
          { calculate: 'datum.end_ns > datum.start_ns ? datum.blocked_ns / (datum.end_ns - datum.start_ns) : 1', as: 'share' },
        ],
        mark: { type: 'rect', color: '#e53e3e', clip: true },
        encoding: {
          x,
          x2: { field: 'end_ms' },
          opacity: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], range: [0.08, 0.35] }, legend: null },
          tooltip: [
            { field: 'start_ms', title: 'all vCPUs down from (ms)', format: ',.6f' },
            { field: 'end_ms', title: 'to (ms)', format: ',.6f' },
            { field: 'blocked_ms', title: 'down (ms)', format: ',.6f' },
            { field: 'intervals', title: 'windows' },
          ],
        },
      },
    ],
  };
  const { blocked, all_down } = d.timeline;
  const m = d.migration;
  const migration: Record<string, Record<string, number[]>> = m ? { phases: { start_ns: m.phases.start_ns, end_ns: m.phases.end_ns }, windows: { start_ns: m.windows_ns } } : {};
  return { id: 'chart-timeline', spec: toVega(spec), data: { blocked: { ...blocked }, all_down: { ...all_down }, ...migration } };
}

/** The migration's phases as shaded bands beneath the bars, one shade per state, named in their tooltips; the source's rate-limit windows as dashed rules. */
type LayerOf<S> = S extends { layer: infer L } ? L : never;

function phaseLayer(d: ReportData): LayerOf<TopLevelSpec> {
  const p = d.migration?.phases;
  const windows: LayerOf<TopLevelSpec> = d.migration?.windows_ns.length
    ? [
        {
          data: { name: 'windows' },
          transform: [{ calculate: 'datum.start_ns / 1e6', as: 'start_ms' }],
          mark: { type: 'rule', color: '#718096', opacity: 0.35, strokeDash: [2, 2], clip: true },
          encoding: { x: { field: 'start_ms', type: 'quantitative' }, tooltip: [{ field: 'start_ms', title: 'rate-limit window from (ms)', format: '.6f' }] },
        },
      ]
    : [];
  if (!p || p.name.length === 0) return windows;
  // Names and sides inline (few rows), times as a named dataset of numbers like the others.
  const labels = p.name.map((name, i) => ({ i, phase: `${p.side[i]}: ${name}` }));
  return [
    {
      data: { name: 'phases' },
      transform: [
        { window: [{ op: 'row_number', as: 'row' }] },
        { calculate: 'datum.row - 1', as: 'i' },
        { lookup: 'i', from: { data: { values: labels }, key: 'i', fields: ['phase'] } },
        { calculate: 'datum.start_ns / 1e6', as: 'start_ms' },
        { calculate: 'datum.end_ns / 1e6', as: 'end_ms' },
      ],
      mark: { type: 'rect', opacity: 0.1, clip: true },
      encoding: {
        x: { field: 'start_ms', type: 'quantitative' },
        x2: { field: 'end_ms' },
        color: { field: 'phase', type: 'nominal', title: 'phase', scale: { scheme: 'tableau10' } },
        tooltip: [
          { field: 'phase', title: 'phase' },
          { field: 'start_ms', title: 'from (ms)', format: '.6f' },
          { field: 'end_ms', title: 'to (ms)', format: '.6f' },
        ],
      },
    },
    ...windows,
  ];
}

/** The bucket range that holds any fault in either variant, so empty tails are not drawn. */
function bucketRange(results: AnalysisResult[]): [number, number] {
  let first = LATENCY_BUCKETS;
  let last = -1;
  for (const r of results) {
    r.latency_buckets.forEach((count, k) => {
      if (count > 0) {
        first = Math.min(first, k);
        last = Math.max(last, k);
      }
    });
  }
  return last < 0 ? [0, -1] : [first, last];
}

function histogramChart(d: ReportData, toVega: ToVega): ChartPayload {
  const shown: VariantName[] = ['exact', 'mutex'];
  const [first, last] = bucketRange(shown.map((v) => d.results[v]));
  const rows: Array<{ bucket: number; label: string; design: VariantName; faults: number }> = [];
  for (let k = first; k <= last; k++) {
    for (const v of shown) rows.push({ bucket: k, label: bucketLabel(k, LATENCY_BUCKETS), design: v, faults: d.results[v].latency_buckets[k] ?? 0 });
  }
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 260,
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: { field: 'bucket' }, title: 'fault latency (log2 buckets of microseconds)', axis: { labelAngle: -40 } },
      xOffset: { field: 'design', sort: shown },
      y: { field: 'faults', type: 'quantitative', title: 'faults' },
      color: { field: 'design', type: 'nominal', scale: { domain: shown, range: shown.map((v) => DESIGN_COLORS[v]) }, title: 'design' },
      tooltip: [
        { field: 'label', title: 'latency' },
        { field: 'design', title: 'design' },
        { field: 'faults', title: 'faults', format: ',d' },
      ],
    },
  };
  return { id: 'chart-histogram', spec: toVega(spec), data: {} };
}

function cdfChart(d: ReportData, toVega: ToVega): ChartPayload {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 300,
    data: { name: 'cdf' },
    transform: [
      // A log scale cannot show 0: a zero latency is drawn at 1 ns.
      { calculate: 'max(datum.latency_ns, 1) / 1e3', as: 'latency_us' },
      { calculate: "'vCPU ' + datum.cpu", as: 'vcpu' },
    ],
    params: [{ name: 'cdfzoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
    mark: { type: 'line', interpolate: 'step-after', clip: true, point: d.trace.vcpus <= 16 && d.latency_cdf.cpu.length <= 2000 },
    encoding: {
      x: { field: 'latency_us', type: 'quantitative', scale: { type: 'log' }, title: 'fault latency (us, log scale)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of faults at or below', scale: { domain: [0, 1] } },
      color: {
        field: 'cpu',
        type: 'nominal',
        title: 'vCPU',
        scale: { scheme: d.trace.vcpus <= 10 ? 'category10' : 'turbo' },
        legend: d.trace.vcpus <= 32 ? { columns: Math.ceil(d.trace.vcpus / 16) } : null,
      },
      tooltip: [
        { field: 'vcpu', title: 'vCPU' },
        { field: 'latency_ns', title: 'latency (ns)', format: ',d' },
        { field: 'fraction', title: 'at or below', format: '.2%' },
      ],
    },
  };
  return { id: 'chart-cdf', spec: toVega(spec), data: { cdf: { ...d.latency_cdf } } };
}

function comparisonChart(d: ReportData, toVega: ToVega): ChartPayload {
  const rows: Array<{ order: number; group: string; design: VariantName; ms: number; diff_ms: number }> = [];
  const add = (order: number, group: string, ns: (r: AnalysisResult) => number): void => {
    const exact = ns(d.results.exact);
    for (const v of VARIANTS) rows.push({ order, group, design: v, ms: ns(d.results[v]) / 1e6, diff_ms: (ns(d.results[v]) - exact) / 1e6 });
  };
  add(-1, 'total (all vCPUs down)', (r) => r.total_blocktime_ns);
  for (let c = 0; c < d.trace.vcpus; c++) add(c, `vCPU ${c}`, (r) => r.vcpu_blocktime_ns[c] ?? 0);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 280,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'group', type: 'ordinal', sort: { field: 'order' }, title: null, axis: { labelAngle: d.trace.vcpus > 12 ? -60 : 0 } },
      xOffset: { field: 'design', sort: DESIGN_ORDER },
      y: { field: 'ms', type: 'quantitative', title: 'blocktime (ms)' },
      color: { field: 'design', type: 'nominal', scale: designScale, title: 'design' },
      tooltip: [
        { field: 'group', title: 'what' },
        { field: 'design', title: 'design' },
        { field: 'ms', title: 'blocktime (ms)', format: ',.6f' },
        { field: 'diff_ms', title: 'minus exact (ms)', format: '+,.6f' },
      ],
    },
  };
  return { id: 'chart-comparison', spec: toVega(spec), data: {} };
}
