/**
 * `blocktime latency`: where each fault's time goes, from the destination's
 * log and, beside it, the source's (docs/latency.md). Joins the logs,
 * settles the clock offset, and summarizes the served faults' legs.
 */
import { UsageError } from '../errors.js';
import { chooseClock, clockBounds, type ClockEstimate } from './clock.js';
import { findCauses, type Cause, type ServedFault } from './causes.js';
import { CATEGORIES, joinLogs, type Category, type Channel, type JoinCoverage, type JoinedFault } from './join.js';
import { LEGS, faultLegs, type LegName } from './legs.js';
import { readPathLog, type PathLog } from './path-log.js';
import { mergePhases, phasesOf, type MigrationPhases } from './phases.js';
import { legStats, log2Histogram, ns, type LegStats, type Log2Bucket } from './stats.js';

export interface LatencyOptions {
  /** Target page size in bytes (default 4096). */
  pageSize?: number;
  /** `--clock-offset`: source minus destination, ns. */
  clockOffsetNs?: bigint;
  /** `--clock`: how to settle the offset when it is not given. */
  clock?: 'auto' | 'same-host' | 'estimate';
}

export type LegsStats = Record<LegName, LegStats> & { source_and_transit?: LegStats };

export interface LatencyReport {
  faults: number;
  categories: Record<Category, number>;
  /** Over served faults. */
  legs: LegsStats;
  clock: ClockEstimate;
  clock_bounds: { lower_ns: number | null; upper_ns: number | null; from_requests: number; from_pages: number };
  per_vcpu: Array<{ cpu: number; served: number; legs: LegsStats }>;
  per_channel: Array<{ channel: Channel; served: number; legs: LegsStats }>;
  histograms: Partial<Record<LegName | 'source_and_transit', Log2Bucket[]>>;
  causes: Cause[];
  unmatched: { receipt: number; dequeue: number; placement: number };
  /** Requests the source received that no destination fault was paired with. */
  source_requests_unpaired: number;
  coverage: JoinCoverage;
  notes: string[];
}

/** The report, and the joined faults and phases it came from (for the trace's companion tables). */
export interface LatencyOutcome {
  report: LatencyReport;
  faults: JoinedFault[];
  /** Source minus destination, ns, as applied. */
  offset: bigint;
  phases: MigrationPhases;
}

export async function measureLatency(dstPath: string, srcPath: string | undefined, opts: LatencyOptions = {}): Promise<LatencyOutcome> {
  const dst = await readPathLog(dstPath);
  const src = srcPath === undefined ? undefined : await readPathLog(srcPath);
  return latencyOfLogs(dst, src, opts);
}

export function latencyOfLogs(dst: PathLog, src: PathLog | undefined, opts: LatencyOptions = {}): LatencyOutcome {
  const pageSize = opts.pageSize ?? 4096;
  if ((dst.counts.request ?? 0) === 0) throw new UsageError(`${dst.file}: no postcopy_ram_fault_thread_request lines; expected the destination's log (pass the source's with --source)`);
  if (src !== undefined && (src.counts.request ?? 0) > 0 && (src.counts.rp_req_pages ?? 0) === 0) {
    throw new UsageError(`${src.file}: has fault requests and no migrate_handle_rp_req_pages lines: it looks like a destination's log; expected the source's`);
  }
  const join = joinLogs(dst, src, { pageSize });
  const bounds = clockBounds(join.faults);
  const { offset, estimate } = chooseClock(bounds, {
    ...(opts.clockOffsetNs !== undefined ? { given: opts.clockOffsetNs } : {}),
    ...(opts.clock !== undefined ? { assume: opts.clock } : {}),
  });

  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const unmatched = { receipt: 0, dequeue: 0, placement: 0 };
  const served: ServedFault[] = [];
  for (const f of join.faults) {
    categories[f.category]++;
    if (f.missing) unmatched[f.missing]++;
    if (f.category === 'served') served.push({ f, legs: faultLegs(f, offset) });
  }
  const merged = served.some((s) => s.legs.source_and_transit !== undefined);
  const values = (group: readonly ServedFault[], leg: LegName | 'source_and_transit'): bigint[] =>
    group.flatMap((s) => {
      const v = s.legs[leg];
      return v === undefined ? [] : [v];
    });
  const summarize = (group: readonly ServedFault[]): LegsStats => {
    const out = Object.fromEntries(LEGS.map((leg) => [leg, legStats(values(group, leg))])) as LegsStats;
    if (merged) out.source_and_transit = legStats(values(group, 'source_and_transit'));
    return out;
  };

  const cpus = [...new Set(served.map((s) => s.f.cpu))].sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  const per_vcpu = cpus.map((cpu) => {
    const group = served.filter((s) => s.f.cpu === cpu);
    return { cpu, served: group.length, legs: summarize(group) };
  });
  const per_channel = (['main', 'preempt', 'unknown'] as const).flatMap((channel) => {
    const group = served.filter((s) => s.f.channel === channel);
    return group.length === 0 ? [] : [{ channel, served: group.length, legs: summarize(group) }];
  });
  const histograms: LatencyReport['histograms'] = {};
  for (const leg of [...LEGS, ...(merged ? (['source_and_transit'] as const) : [])]) {
    const v = values(served, leg);
    if (v.length > 0) histograms[leg] = log2Histogram(v);
  }

  const report: LatencyReport = {
    faults: join.faults.length,
    categories,
    legs: summarize(served),
    clock: estimate,
    clock_bounds: {
      lower_ns: bounds.lower === undefined ? null : ns(bounds.lower),
      upper_ns: bounds.upper === undefined ? null : ns(bounds.upper),
      from_requests: bounds.upperFrom,
      from_pages: bounds.lowerFrom,
    },
    per_vcpu,
    per_channel,
    histograms,
    causes: findCauses(served, src?.events, dst.events),
    unmatched,
    source_requests_unpaired: join.sourceRequestsUnpaired,
    coverage: join.coverage,
    notes: notesFor(join.coverage, dst, bounds.lower !== undefined && bounds.upper !== undefined && bounds.lower > bounds.upper ? bounds.lower - bounds.upper : undefined),
  };
  const phases = mergePhases(phasesOf(dst, 'destination'), src ? phasesOf(src, 'source', -offset) : { phases: [], markers: [], windows: [] });
  return { report, faults: join.faults, offset, phases };
}

/** What the logs could not split or tell, and which events would. */
function notesFor(c: JoinCoverage, dst: PathLog, crossBy: bigint | undefined): string[] {
  const notes: string[] = [];
  if (!c.source) notes.push('only the destination log: total measured; request transit, source queue wait and page transit need the source log (--source)');
  else if (!c.receipts) notes.push('the source log has no migrate_handle_rp_req_pages or ram_save_queue_pages lines: only the total is measured');
  else if (!c.dequeues) {
    notes.push(
      'source queue wait and page transit are merged ("source + transit"): get_queued_page and get_queued_page_not_dirty on the source would split them; ' +
        'without them the first request of a page counts as served and later ones as duplicate, and background pages cannot be told apart',
    );
  }
  if (!c.requestMessages) notes.push('no migrate_send_rp_message lines on the destination: faults that sent no request cannot be told apart, and the clock bound uses the fault time');
  if (c.source && c.dequeues && !c.sends) notes.push('no ram_save_page or postcopy_preempt_send_host_page lines on the source: the lower clock bound uses the dequeue');
  if (c.source && !c.channels) notes.push('channel unknown: ram_load_postcopy_loop on the destination (or postcopy_preempt_send_host_page on the source) would say');
  if (dst.prefix === 'iso') notes.push('the destination log has no thread ids (ISO prefix): request messages are paired with faults in file order');
  if (crossBy !== undefined) notes.push(`the clock bounds cross by ${crossBy} ns: the clocks drifted during the migration, or the logs miss lines`);
  return notes;
}
