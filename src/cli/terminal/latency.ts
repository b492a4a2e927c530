import type { ChalkInstance } from 'chalk';
import type { LatencyReport, LegsStats } from '../../latency/latency.js';
import type { Log2Bucket, LegStats } from '../../latency/stats.js';
import { formatCount, formatDuration } from '../../units.js';
import { renderTable, type Column } from './table.js';

const LEG_TITLES: Record<string, string> = {
  request_transit: 'request transit',
  source_queue_wait: 'source queue wait',
  page_transit: 'page transit + placement',
  source_and_transit: 'source + transit',
  total: 'total',
};

const CATEGORY_TITLES: Record<string, string> = {
  served: 'served',
  duplicate: 'duplicate',
  background: 'background',
  no_request_sent: 'no request sent',
  unmatched: 'unmatched',
};

/** The legs present in a report, in path order ("source + transit" in place of the two it merges when they were not split). */
function legOrder(legs: LegsStats): string[] {
  const measured = ['request_transit', 'source_queue_wait', 'source_and_transit', 'page_transit'].filter((leg) => (legs[leg as keyof LegsStats]?.count ?? 0) > 0);
  return [...measured, 'total'];
}

function d(v: number | null): string {
  return v === null ? '-' : formatDuration(v);
}

/** The human report of `latency`: the JSON's figures as tables. */
export function renderLatency(r: LatencyReport, files: { destination: string; source?: string }, c: ChalkInstance): string {
  const out: string[] = [];
  const heading = (s: string): void => {
    out.push('', c.bold(s));
  };
  out.push(c.bold(`blocktime latency  ${files.destination}${files.source ? `  --source ${files.source}` : ''}`));
  const cats = Object.entries(r.categories)
    .map(([k, n]) => `${CATEGORY_TITLES[k]} ${formatCount(n)}`)
    .join(', ');
  out.push(`  ${c.dim('faults')}  ${formatCount(r.faults)}: ${cats}`);
  const missing = Object.entries(r.unmatched).filter(([, n]) => n > 0);
  if (missing.length > 0) out.push(`  ${c.dim('unmatched')}  ${missing.map(([k, n]) => `${formatCount(n)} without a ${k}`).join(', ')}`);
  if (files.source) out.push(`  ${c.dim('source requests paired with no fault')}  ${formatCount(r.source_requests_unpaired)}`);
  out.push(`  ${c.dim('clock')}   ${clockLine(r)}`);

  const order = legOrder(r.legs);
  heading(`Legs of served faults (${formatCount(r.categories.served)})`);
  const cols: Column[] = ['leg', 'count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((h, i) => ({ header: h, align: i === 0 ? 'left' : 'right' }));
  const row = (name: string, s: LegStats): string[] => [LEG_TITLES[name]!, formatCount(s.count), d(s.mean_ns), d(s.p50_ns), d(s.p90_ns), d(s.p99_ns), d(s.p999_ns), d(s.max_ns)];
  out.push(...renderTable(cols, order.map((leg) => row(leg, r.legs[leg as keyof LegsStats]!)), order.length > 1 ? { separatorBefore: [order.length - 1] } : {}));

  const groupCols: Column[] = [{ header: '', align: 'left' }, { header: 'served', align: 'right' }, ...order.map((leg) => ({ header: `${LEG_TITLES[leg]} p50 / p99`, align: 'right' as const }))];
  const groupRow = (name: string, served: number, legs: LegsStats): string[] => [
    name,
    formatCount(served),
    ...order.map((leg) => {
      const s = legs[leg as keyof LegsStats]!;
      return `${d(s.p50_ns)} / ${d(s.p99_ns)}`;
    }),
  ];
  if (r.per_vcpu.length > 0) {
    heading('Per vCPU');
    out.push(...renderTable([{ ...groupCols[0]!, header: 'vCPU' }, ...groupCols.slice(1)], r.per_vcpu.map((v) => groupRow(v.cpu < 0 ? 'other' : String(v.cpu), v.served, v.legs))));
  }
  if (r.per_channel.length > 0) {
    heading('Per channel');
    out.push(...renderTable([{ ...groupCols[0]!, header: 'channel' }, ...groupCols.slice(1)], r.per_channel.map((v) => groupRow(v.channel, v.served, v.legs))));
  }

  heading('Histograms (log2)');
  for (const leg of order) {
    const h = r.histograms[leg as keyof LatencyReport['histograms']];
    if (!h) continue;
    out.push(`  ${LEG_TITLES[leg]}`);
    out.push(...histogramLines(h, c));
  }

  if (r.causes.length > 0) {
    heading('What the logs show');
    for (const cause of r.causes) out.push(`  - ${cause.text}`);
  }
  if (r.notes.length > 0) {
    heading('Notes');
    for (const n of r.notes) out.push(`  - ${n}`);
  }
  return out.join('\n') + '\n';
}

/** Offsets in ms with every digit down to the ns: a clock offset of seconds still says its microseconds. */
function off(v: number | null): string {
  return v === null ? '-' : `${(v / 1e6).toFixed(6)} ms`;
}

function clockLine(r: LatencyReport): string {
  const b = r.clock_bounds;
  if (b.lower_ns === null && b.upper_ns === null) return 'one clock assumed (no request was followed to the source)';
  const bounds = `bounds [${off(b.lower_ns)}, ${off(b.upper_ns)}] from ${formatCount(b.from_pages)} pages and ${formatCount(b.from_requests)} requests`;
  const k = r.clock;
  if (k.source === 'given') return `source - destination = ${off(k.offset_ns)} (given); ${bounds}`;
  if (k.source === 'same-host') return `one clock (the bounds allow offset 0; --clock estimate takes their middle); ${bounds}`;
  return `source - destination = ${off(k.offset_ns)} ± ${off(k.uncertainty_ns)} (estimated); ${bounds}`;
}

function histogramLines(buckets: readonly Log2Bucket[], c: ChalkInstance, width = 40): string[] {
  const max = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const label = (b: Log2Bucket): string => (b.lo_ns === null ? '< 1 ns' : `[${formatDuration(b.lo_ns)}, ${formatDuration(b.hi_ns)})`);
  const labels = buckets.map(label);
  const w = labels.reduce((m, l) => Math.max(m, l.length), 0);
  const counts = buckets.map((b) => formatCount(b.count));
  const cw = counts.reduce((m, l) => Math.max(m, l.length), 0);
  return buckets.map((b, i) => {
    const bar = max === 0 ? '' : '█'.repeat(Math.round((b.count / max) * width));
    return `    ${labels[i]!.padEnd(w)}  ${counts[i]!.padStart(cw)}  ${c.cyan(bar)}`.trimEnd();
  });
}
