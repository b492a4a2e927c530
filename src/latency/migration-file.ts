/**
 * The migration's companion of a trace imported from QEMU logs,
 * `<trace>.migration.json` (docs/latency.md#the-companion-file; `trace.arrow` -> `trace.migration.json`): its phases
 * and, when the source's log was given, every fault's joined steps and legs.
 * The replay never reads it; `analyze`, `query` and `report` do. Times are
 * on the trace's clock, as decimal strings (exact int64 ns).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { writeOutputFile } from '../output-file.js';
import type { ClockEstimate } from './clock.js';
import type { JoinedFault } from './join.js';
import { faultLegs, type FaultLegs } from './legs.js';
import type { MigrationPhases, Side } from './phases.js';

export const MIGRATION_FORMAT = 'blocktime-migration';

/** Beside the trace as its accounting table is (`trace.arrow` -> `trace.migration.json`). */
export function migrationPath(trace: string): string {
  const m = /\.(arrows?|csv|ndjson|parquet)$/.exec(trace);
  return (m ? trace.slice(0, m.index) : trace) + '.migration.json';
}

export interface PhaseRecord {
  side: Side;
  /** `window`: a rate-limit window of the source, `migrate_transferred` to the next one. */
  kind: 'state' | 'marker' | 'window';
  name: string;
  start_ns: string;
  end_ns: string;
}

export interface FaultLegRecord {
  /** The request's line in the destination log. */
  line: number;
  tid: number;
  cpu: number;
  block: string;
  offset: string;
  addr: string;
  category: string;
  missing: string | null;
  channel: string;
  t_ns: string;
  request_transit_ns: string | null;
  source_queue_wait_ns: string | null;
  page_transit_ns: string | null;
  source_and_transit_ns: string | null;
  total_ns: string | null;
}

export interface MigrationFile {
  format: typeof MIGRATION_FORMAT;
  version: 1;
  destination_log: string;
  source_log: string | null;
  clock: ClockEstimate | null;
  phases: PhaseRecord[];
  /** Absent without the source's log. */
  fault_legs?: FaultLegRecord[];
}

/** Phases as records, on the trace's clock (`shift` added). */
export function phaseRecords(m: MigrationPhases, shift: bigint): PhaseRecord[] {
  return [
    ...m.phases.map((p): PhaseRecord => ({ side: p.side, kind: 'state', name: p.state, start_ns: String(p.startNs + shift), end_ns: String(p.endNs + shift) })),
    ...m.markers.map((x): PhaseRecord => ({ side: x.side, kind: 'marker', name: x.name, start_ns: String(x.tNs + shift), end_ns: String(x.tNs + shift) })),
    ...m.windows.map(
      (t, i): PhaseRecord => ({ side: 'source', kind: 'window', name: 'rate_limit', start_ns: String(t + shift), end_ns: String((m.windows[i + 1] ?? t) + shift) }),
    ),
  ].sort((a, b) => (BigInt(a.start_ns) < BigInt(b.start_ns) ? -1 : BigInt(a.start_ns) > BigInt(b.start_ns) ? 1 : 0));
}

export function faultLegRecords(faults: readonly JoinedFault[], offset: bigint, shift: bigint): FaultLegRecord[] {
  const str = (v: bigint | undefined): string | null => (v === undefined ? null : String(v));
  return faults.map((f) => {
    const legs: FaultLegs = f.category === 'served' ? faultLegs(f, offset) : {};
    return {
      line: f.line,
      tid: f.tid,
      cpu: f.cpu,
      block: f.block,
      offset: String(f.offset),
      addr: String(f.host),
      category: f.category,
      missing: f.missing ?? null,
      channel: f.channel,
      t_ns: String(f.tFault + shift),
      request_transit_ns: str(legs.request_transit),
      source_queue_wait_ns: str(legs.source_queue_wait),
      page_transit_ns: str(legs.page_transit),
      source_and_transit_ns: str(legs.source_and_transit),
      total_ns: str(legs.total),
    };
  });
}

export async function writeMigrationFile(path: string, m: MigrationFile): Promise<void> {
  await writeOutputFile(path, JSON.stringify(m) + '\n');
}

/** The companion of `trace`, or undefined when there is none. */
export async function readMigrationFile(trace: string): Promise<MigrationFile | undefined> {
  const path = migrationPath(trace);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
  let m: MigrationFile;
  try {
    m = JSON.parse(text) as MigrationFile;
  } catch {
    throw new InputError({ file: path }, `not JSON; expected the ${MIGRATION_FORMAT} companion that import qemu-log writes`);
  }
  if (m.format !== MIGRATION_FORMAT || m.version !== 1 || !Array.isArray(m.phases)) {
    throw new InputError({ file: path }, `expected a ${MIGRATION_FORMAT} version 1 object with a phases array (re-import the log)`);
  }
  return m;
}
