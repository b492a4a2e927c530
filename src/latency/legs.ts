/**
 * A fault's legs (docs/latency.md#legs), on the destination's clock: source
 * times move by the clock offset `d` (source minus destination). The legs a
 * fault's events allow are measured; where an event is missing its two
 * neighbours merge into one leg, so that the legs still add up to the total.
 */
import type { JoinedFault } from './join.js';

export const LEGS = ['request_transit', 'source_queue_wait', 'page_transit', 'total'] as const;
export type LegName = (typeof LEGS)[number];
/** `source_and_transit`: a queue wait and page transit that no dequeue line splits ("source + transit"). */
export type FaultLegs = Partial<Record<LegName | 'source_and_transit', bigint>>;

export function faultLegs(f: JoinedFault, d: bigint): FaultLegs {
  const out: FaultLegs = {};
  if (f.tPlace === undefined) return out;
  out.total = f.tPlace - f.tFault;
  if (f.tRecv === undefined) return out;
  out.request_transit = f.tRecv - d - f.tFault;
  if (f.tDeq === undefined) {
    out.source_and_transit = f.tPlace - (f.tRecv - d);
    return out;
  }
  out.source_queue_wait = f.tDeq - f.tRecv;
  out.page_transit = f.tPlace - (f.tDeq - d);
  return out;
}
