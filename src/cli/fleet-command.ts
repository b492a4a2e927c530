/**
 * `analyze` and `compare` over many traces: the traces the arguments name
 * (fleet/inputs.ts), replayed `--jobs` at a time (fleet/run.ts), printed as
 * NDJSON as they complete in order (`--json`), written as a table (`-o`),
 * or shown as a ranked table and the fleet's distributions. Exit code 2
 * when a trace failed on its input, 1 when one hit a bug of ours.
 */
import { ExitCode, UsageError } from '../errors.js';
import { expandInputs } from '../fleet/inputs.js';
import { jsonRow, type JsonRow } from '../fleet/rows.js';
import { runFleet } from '../fleet/run.js';
import type { FleetSortKey } from '../fleet/sort.js';
import type { FleetMode, TraceDone, TraceFailed, TraceOutcome } from '../fleet/trace-task.js';
import type { VariantName } from '../replay/result.js';
import { formatCount } from '../units.js';
import { openOptions, type TraceOptionValues } from './options/trace-options.js';
import { styleFor } from './terminal/style.js';
import { createTraceProgress } from './terminal/trace-progress.js';

export interface FleetCommandOptions extends TraceOptionValues {
  mode: FleetMode;
  variant: VariantName;
  explain: number;
  json: boolean;
  output?: string;
  jobs?: number;
  sort: FleetSortKey;
  top?: number;
}

export async function runFleetCommand(args: readonly string[], opts: FleetCommandOptions): Promise<void> {
  const [{ checkFleetTablePath, writeFleetTable }, { rankTraces }, { summarizeFleet }, { renderFleet }] = await Promise.all([
    import('../fleet/fleet-table.js'),
    import('../fleet/sort.js'),
    import('../fleet/summary.js'),
    import('./terminal/fleet.js'),
  ]);
  if (opts.output !== undefined) checkFleetTablePath(opts.output);
  const paths = await expandInputs(args);
  const progress = createTraceProgress(`${opts.mode} (traces)`, 'rows');
  const rows: JsonRow[] = [];
  let outcomes: TraceOutcome[];
  try {
    outcomes = await runFleet(
      paths,
      { mode: opts.mode, variant: opts.variant, explain: opts.explain, open: openOptions(opts) },
      {
        ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
        onWarning: progress.onWarning,
        onProgress: (done) => progress.onRows(done),
        onOutcome(outcome) {
          const row = jsonRow(outcome);
          if (opts.output !== undefined) rows.push(row);
          if (opts.json) {
            progress.done();
            process.stdout.write(JSON.stringify(row) + '\n');
          }
        },
      },
    );
  } finally {
    progress.done();
  }
  if (opts.output !== undefined) {
    const written = await writeFleetTable(rows, opts.output);
    process.stderr.write(`wrote ${opts.output} (${formatCount(written)} rows)\n`);
  }
  const done = outcomes.filter((o): o is TraceDone => o.ok);
  const failed = outcomes.filter((o): o is TraceFailed => !o.ok);
  if (!opts.json) {
    const ranked = rankTraces(done, opts.sort, opts.top);
    const design = opts.mode === 'compare' ? 'exact' : opts.variant;
    process.stdout.write(renderFleet(ranked, failed, summarizeFleet(outcomes), { mode: opts.mode, design, sort: opts.sort, replayed: done.length }, styleFor(process.stdout)));
  }
  if (failed.length > 0) process.exitCode = failed.some((f) => f.exit_code === ExitCode.internal) ? ExitCode.internal : ExitCode.badInput;
}

/** The single-trace options that have no meaning for a fleet. */
export function refuseForFleet(flags: Record<string, boolean>): void {
  for (const [flag, given] of Object.entries(flags)) if (given) throw new UsageError(`${flag} reads one trace; give one trace, or leave it out`);
}
