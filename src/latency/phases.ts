/**
 * The migration's phases (docs/latency.md#phases): each `migrate_set_state`
 * starts a phase that lasts until the next one on the same side (the last
 * one until the log's last line), and the postcopy commands
 * (`postcopy_start`, `savevm_send_postcopy_*`, ...) mark moments in them.
 */
import type { PathLog } from './path-log.js';

export type Side = 'destination' | 'source';

export interface Phase {
  side: Side;
  state: string;
  /** On the destination's clock. */
  startNs: bigint;
  endNs: bigint;
}

export interface PhaseMarker {
  side: Side;
  name: string;
  tNs: bigint;
}

export interface MigrationPhases {
  phases: Phase[];
  markers: PhaseMarker[];
  /** The source's rate-limit window starts (`migrate_transferred`), ascending. */
  windows: bigint[];
}

/** `shift` is added to the log's times (minus the clock offset, for the source's log). */
export function phasesOf(log: PathLog, side: Side, shift = 0n): MigrationPhases {
  const phases: Phase[] = [];
  const markers: PhaseMarker[] = [];
  const windows: bigint[] = [];
  let open: Phase | undefined;
  for (const e of log.events) {
    if (e.ev === 'state') {
      if (open) open.endNs = e.t + shift;
      open = { side, state: e.state, startNs: e.t + shift, endNs: log.lastT + shift };
      phases.push(open);
    } else if (e.ev === 'marker') markers.push({ side, name: e.name, tNs: e.t + shift });
    else if (e.ev === 'window') windows.push(e.t + shift);
  }
  windows.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { phases, markers, windows };
}

export function mergePhases(a: MigrationPhases, b: MigrationPhases): MigrationPhases {
  const byTime = <T extends { side: Side }>(key: (x: T) => bigint) => (x: T, y: T) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : x.side < y.side ? -1 : x.side > y.side ? 1 : 0);
  return {
    phases: [...a.phases, ...b.phases].sort(byTime((p: Phase) => p.startNs)),
    markers: [...a.markers, ...b.markers].sort(byTime((m: PhaseMarker) => m.tNs)),
    windows: [...a.windows, ...b.windows].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
  };
}
