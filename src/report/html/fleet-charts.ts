/**
 * The fleet report's charts (fleet-page.ts), as Vega-Lite specs compiled to
 * Vega when the page is built, with one point per trace inlined: the
 * distribution of total and worst-vCPU blocktime (histogram and CDF),
 * blocktime against vCPU count and against events coloured by source, and
 * each design's error against `exact`.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartPayload } from './charts.js';
import { CHART_WIDTH_PX } from './report-data.js';

/** What the charts know of one trace (the `exact` design's figures, and the other designs' error). */
export interface FleetPoint {
  trace: string;
  source: string;
  source_group: string;
  vcpus: number;
  events: number;
  total_ms: number;
  worst_ms: number;
  sum_ms: number;
  /** (design - exact) / exact of the vCPU sum, percent; null when exact is 0. */
  mutex_err_pct: number | null;
  atomic_err_pct: number | null;
}

export const FLEET_CHART_IDS = ['chart-fleet-hist', 'chart-fleet-cdf', 'chart-fleet-vcpus', 'chart-fleet-events', 'chart-fleet-errors'] as const;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const MEASURES = { total_ms: 'all vCPUs down', worst_ms: 'worst vCPU' };
const fold = [
  { fold: Object.keys(MEASURES), as: ['measure_key', 'ms'] as [string, string] },
  { calculate: `datum.measure_key === 'total_ms' ? '${MEASURES.total_ms}' : '${MEASURES.worst_ms}'`, as: 'measure' },
];
const traceTooltip = [
  { field: 'trace', title: 'trace' },
  { field: 'source', title: 'source' },
];

export async function buildFleetCharts(points: FleetPoint[]): Promise<ChartPayload[]> {
  // Loaded on first use, as charts.ts does: vega's Node build awaits at top level.
  const { compile } = await import('vega-lite');
  const chart = (id: (typeof FLEET_CHART_IDS)[number], spec: TopLevelSpec): ChartPayload => ({ id, spec: compile(spec).spec, data: {} });
  const values = points;
  const half = Math.floor(CHART_WIDTH_PX / 2) - 40;
  return [
    chart('chart-fleet-hist', {
      $schema: SCHEMA,
      data: { values },
      transform: fold,
      facet: { column: { field: 'measure', type: 'nominal', title: null, sort: Object.values(MEASURES) } },
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: half,
        height: 220,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'ms', type: 'quantitative', bin: { maxbins: 30 }, title: 'blocktime (ms, exact)' },
          y: { aggregate: 'count', type: 'quantitative', title: 'traces' },
          color: { field: 'measure', type: 'nominal', legend: null },
        },
      },
    }),
    chart('chart-fleet-cdf', {
      $schema: SCHEMA,
      width: CHART_WIDTH_PX,
      height: 260,
      data: { values },
      transform: [...fold, { window: [{ op: 'cume_dist', as: 'fraction' }], sort: [{ field: 'ms' }], groupby: ['measure'] }],
      mark: { type: 'line', interpolate: 'step-after', point: points.length <= 200 },
      encoding: {
        x: { field: 'ms', type: 'quantitative', title: 'blocktime (ms, exact)' },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction of traces at or below', scale: { domain: [0, 1] } },
        color: { field: 'measure', type: 'nominal', title: null },
        tooltip: [...traceTooltip, { field: 'measure' }, { field: 'ms', title: 'ms', format: ',.3f' }, { field: 'fraction', format: '.1%' }],
      },
    }),
    scatter('chart-fleet-vcpus', values, { field: 'vcpus', type: 'quantitative', title: 'vCPUs' }),
    scatter('chart-fleet-events', values, { field: 'events', type: 'quantitative', title: 'events (log scale)', scale: { type: 'log' } }),
    chart('chart-fleet-errors', {
      $schema: SCHEMA,
      width: CHART_WIDTH_PX,
      height: 200,
      data: { values },
      transform: [
        { calculate: '0', as: 'exact_err_pct' },
        { fold: ['exact_err_pct', 'mutex_err_pct', 'atomic_err_pct'], as: ['design_key', 'err_pct'] },
        { filter: 'isValid(datum.err_pct)' },
        { calculate: "replace(datum.design_key, '_err_pct', '')", as: 'design' },
      ],
      mark: { type: 'boxplot', extent: 'min-max' },
      encoding: {
        y: { field: 'design', type: 'nominal', sort: ['exact', 'mutex', 'atomic'], title: null },
        x: { field: 'err_pct', type: 'quantitative', title: "vCPU blocktime sum: the design's error against exact (%)" },
        color: { field: 'design', type: 'nominal', scale: { domain: ['exact', 'mutex', 'atomic'], range: ['#2b6cb0', '#dd6b20', '#805ad5'] }, legend: null },
      },
    }),
  ];

  function scatter(id: (typeof FLEET_CHART_IDS)[number], data: FleetPoint[], x: object): ChartPayload {
    return chart(id, {
      $schema: SCHEMA,
      width: CHART_WIDTH_PX,
      height: 260,
      data: { values: data },
      mark: { type: 'point', filled: true, size: 40, opacity: 0.7 },
      encoding: {
        x,
        y: { field: 'sum_ms', type: 'quantitative', title: 'vCPU blocktime sum (ms, exact)' },
        color: { field: 'source_group', type: 'nominal', title: 'source' },
        tooltip: [...traceTooltip, { field: 'vcpus', title: 'vCPUs' }, { field: 'events', format: ',d' }, { field: 'sum_ms', title: 'vCPU sum (ms)', format: ',.3f' }],
      },
    } as TopLevelSpec);
  }
}
