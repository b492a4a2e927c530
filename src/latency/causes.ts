/**
 * What the joined logs can show about why served faults took long
 * (docs/latency.md#causes), each with the count of faults that show it and
 * the count it is out of. Only what was measured is stated.
 */
import { formatDuration, formatPercent } from '../units.js';
import type { JoinedFault } from './join.js';
import type { FaultLegs } from './legs.js';
import type { LoggedEvent } from './path-log.js';
import { ns, sortBig } from './stats.js';

export interface Cause {
  cause: 'rate_limit_window' | 'request_transit_fixed_delay' | 'page_transit_fixed_delay' | 'channel';
  /** Faults that show it. */
  evidence: number;
  /** Faults it was looked for in. */
  of: number;
  /** One sentence of what was measured. */
  text: string;
  /** The measured quantities the sentence states. */
  details: Record<string, number | string>;
}

const MS = 1_000_000n;
/** A dequeue this soon after a window starts follows the budget's reset. */
const WINDOW_NEAR_NS = 2n * MS;
/** Width of the bins in which a fixed delay is looked for, and the least delay that counts as one. */
const DELAY_BIN_NS = MS;
const DELAY_MIN_NS = 5n * MS;

export interface ServedFault {
  f: JoinedFault;
  legs: FaultLegs;
}

export function findCauses(served: readonly ServedFault[], src: readonly LoggedEvent[] | undefined, dstEvents: readonly LoggedEvent[]): Cause[] {
  const causes: Cause[] = [];
  const windows = src?.filter((e) => e.ev === 'window').map((e) => e.t) ?? [];
  const withDeq = served.filter((s) => s.f.tDeq !== undefined && s.f.tRecv !== undefined);
  if (windows.length > 0 && withDeq.length > 0) causes.push(rateLimit(withDeq, sortBig(windows)));
  const rt = fixedDelay(served, 'request_transit', dstRequestGaps(dstEvents));
  if (rt) causes.push(rt);
  const pt = fixedDelay(served, 'page_transit', undefined);
  if (pt) causes.push(pt);
  const ch = channels(served);
  if (ch) causes.push(ch);
  return causes;
}

function rateLimit(served: readonly ServedFault[], windows: readonly bigint[]): Cause {
  let held = 0;
  let heldWait = 0n;
  let allWait = 0n;
  for (const { f } of served) {
    const deq = f.tDeq!;
    allWait += deq - f.tRecv!;
    const w = lastAtOrBefore(windows, deq);
    if (w !== undefined && deq - w <= WINDOW_NEAR_NS && f.tRecv! < w) {
      held++;
      heldWait += deq - f.tRecv!;
    }
  }
  // How often a dequeue would land there by chance: the windows' first 2 ms as a share of their span.
  const span = windows.length > 1 ? windows[windows.length - 1]! - windows[0]! : 0n;
  const covered = BigInt(windows.length - 1) * WINDOW_NEAR_NS;
  const near = formatDuration(ns(WINDOW_NEAR_NS));
  const chance = span > 0n ? formatPercent(ns(covered < span ? covered : span), ns(span)) : undefined;
  return {
    cause: 'rate_limit_window',
    evidence: held,
    of: served.length,
    text:
      `${held} of ${served.length} served requests arrived before a rate-limit window started (migrate_transferred; ${windows.length} window starts) ` +
      `and left the queue within ${near} after it${chance === undefined ? '' : ` (the first ${near} of the windows cover ${chance} of their span)`}; ` +
      `their queue wait is ${formatPercent(ns(heldWait), ns(allWait))} of all served queue wait`,
    details: { windows: windows.length, queue_wait_ns: ns(heldWait), all_queue_wait_ns: ns(allWait), ...(chance === undefined ? {} : { chance_share: chance }) },
  };
}

/** For each REQ message the time since the fault thread's previous one, by the fault it belongs to. */
function dstRequestGaps(events: readonly LoggedEvent[]): Map<number, bigint> {
  const gaps = new Map<number, bigint>();
  let lastRequestLine: number | undefined;
  const prevRp = new Map<number, bigint>();
  for (const e of events) {
    if (e.ev === 'request') lastRequestLine = e.line;
    if (e.ev === 'rp_message' && (e.type === 3 || e.type === 4) && lastRequestLine !== undefined) {
      const prev = prevRp.get(e.tid);
      if (prev !== undefined) gaps.set(lastRequestLine, e.t - prev);
      prevRp.set(e.tid, e.t);
    }
  }
  return gaps;
}

/** The densest 1 ms bin of a leg at 5 ms or more, when it holds at least 5 faults and 5% of them. */
function fixedDelay(served: readonly ServedFault[], leg: 'request_transit' | 'page_transit', gaps: Map<number, bigint> | undefined): Cause | undefined {
  const values = served.filter((s) => s.legs[leg] !== undefined);
  if (values.length === 0) return undefined;
  const bins = new Map<bigint, ServedFault[]>();
  for (const s of values) {
    const v = s.legs[leg]!;
    if (v < DELAY_MIN_NS) continue;
    const b = v / DELAY_BIN_NS;
    const list = bins.get(b);
    if (list) list.push(s);
    else bins.set(b, [s]);
  }
  let best: bigint | undefined;
  for (const [b, list] of bins) if (best === undefined || list.length > bins.get(best)!.length) best = b;
  if (best === undefined) return undefined;
  const members = bins.get(best)!;
  if (members.length < 5 || members.length * 20 < values.length) return undefined;
  const lo = best * DELAY_BIN_NS;
  const hi = lo + DELAY_BIN_NS;
  const details: Record<string, number | string> = { lo_ns: ns(lo), hi_ns: ns(hi) };
  let text = `${members.length} of ${values.length} served ${leg.replace('_', ' ')}s lie between ${formatDuration(ns(lo))} and ${formatDuration(ns(hi))}, the densest 1 ms at 5 ms or more`;
  if (gaps !== undefined) {
    const shortGap = members.filter((s) => {
      const g = gaps.get(s.f.line);
      return g !== undefined && g < lo;
    }).length;
    details.after_recent_request = shortGap;
    text += `; ${shortGap} of them were sent less than ${formatDuration(ns(lo))} after the previous request message (a small write possibly held back on the socket until that one was acknowledged)`;
  }
  return { cause: leg === 'request_transit' ? 'request_transit_fixed_delay' : 'page_transit_fixed_delay', evidence: members.length, of: values.length, text, details };
}

function channels(served: readonly ServedFault[]): Cause | undefined {
  const by = { main: [] as bigint[], preempt: [] as bigint[] };
  for (const { f, legs } of served) if (f.channel !== 'unknown' && legs.total !== undefined) by[f.channel].push(legs.total);
  if (by.preempt.length + by.main.length === 0 || by.preempt.length === 0) return undefined;
  const median = (v: bigint[]): string => (v.length === 0 ? '-' : formatDuration(ns(sortBig(v)[Math.ceil(v.length / 2) - 1]!)));
  const of = by.main.length + by.preempt.length;
  return {
    cause: 'channel',
    evidence: by.preempt.length,
    of,
    text: `${by.preempt.length} of ${of} served pages arrived on the preempt channel (median total ${median(by.preempt)}), ${by.main.length} on the main one (median total ${median(by.main)})`,
    details: { preempt: by.preempt.length, main: by.main.length },
  };
}

/** The last value <= t in an ascending list. */
function lastAtOrBefore(sorted: readonly bigint[], t: bigint): bigint | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : sorted[lo - 1];
}
