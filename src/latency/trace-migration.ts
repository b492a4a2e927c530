/**
 * The migration beside a trace: its phases and joined faults, from the
 * trace's companion file, or (for a QEMU log read directly) the phases of
 * the log itself. Times go onto the trace's clock: QEMU 10.1+ logs are
 * imported on QEMU's own clock, `prefix_minus_time_ns` away from the
 * prefixes (docs/qemu-logs.md).
 */
import { basename } from 'node:path';
import type { TraceMeta } from '../trace/schema.js';
import type { PathEventName } from '../import/qemu-log/path-lines.js';
import { measureLatency, type LatencyOptions } from './latency.js';
import { MIGRATION_FORMAT, faultLegRecords, migrationPath, phaseRecords, readMigrationFile, writeMigrationFile, type MigrationFile } from './migration-file.js';
import { readPathLog } from './path-log.js';
import { phasesOf } from './phases.js';

const PHASE_EVENTS: ReadonlySet<PathEventName> = new Set(['state', 'marker', 'window']);

/** What to add to a log's prefix time to put it on the clock of the trace imported from it. */
export function traceClockShift(source: Record<string, unknown> | undefined): bigint {
  const d = source?.prefix_minus_time_ns;
  return typeof d === 'string' ? -BigInt(d) : 0n;
}

async function logPhases(log: string, shift: bigint): Promise<MigrationFile | undefined> {
  const dst = await readPathLog(log, PHASE_EVENTS);
  const records = phaseRecords(phasesOf(dst, 'destination'), shift);
  if (records.length === 0) return undefined;
  return { format: MIGRATION_FORMAT, version: 1, destination_log: basename(log), source_log: null, clock: null, phases: records };
}

/** The migration of the trace at `path`, when its companion or (a QEMU log) the log itself says one. */
export async function migrationOfTrace(path: string, format: string, meta: TraceMeta): Promise<MigrationFile | undefined> {
  if (path === '-' || path === 'stdin') return undefined;
  if (format === 'qemu-log') {
    if (meta.source?.prefix === 'none') return undefined;
    return logPhases(path, traceClockShift(meta.source));
  }
  return readMigrationFile(path);
}

/**
 * `<trace>.migration.json` for `import qemu-log`, prepared before the trace
 * is written (a bad source log stops the import before any output) and
 * written after it. With the source's log, the joined faults too. `write`
 * returns the path, or undefined when the log had no phases and no source
 * was given (nothing to keep).
 */
export async function prepareImportMigration(
  log: string,
  sourceLog: string | undefined,
  opts: LatencyOptions,
): Promise<{ write(trace: string, traceSource: Record<string, unknown> | undefined): Promise<string | undefined> }> {
  if (sourceLog === undefined) {
    return {
      async write(trace, traceSource) {
        if (traceSource?.prefix === 'none') return undefined;
        const m = await logPhases(log, traceClockShift(traceSource));
        if (m === undefined) return undefined;
        await writeMigrationFile(migrationPath(trace), m);
        return migrationPath(trace);
      },
    };
  }
  const outcome = await measureLatency(log, sourceLog, opts);
  return {
    async write(trace, traceSource) {
      const shift = traceClockShift(traceSource);
      await writeMigrationFile(migrationPath(trace), {
        format: MIGRATION_FORMAT,
        version: 1,
        destination_log: basename(log),
        source_log: basename(sourceLog),
        clock: outcome.report.clock,
        phases: phaseRecords(outcome.phases, shift),
        fault_legs: faultLegRecords(outcome.faults, outcome.offset, shift),
      });
      return migrationPath(trace);
    },
  };
}
