import type { Command } from 'commander';
import { ExitCode, UsageError, toExit } from '../errors.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { exportTrace } from '../sql/export.js';
import { exportDataset } from '../sql/dataset.js';
import { expandTraceInputs } from '../fleet/inputs.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, parsePositiveInt, type TraceOptionValues } from './options/trace-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { withExamples } from './help-examples.js';

interface ExportOptions extends TraceOptionValues, StatusOptionValues {
  faults?: boolean;
  dataset?: string;
  jobs?: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('export')
    .description('Write a trace as Parquet (DuckDB, Spark, Trino read it as it is), optionally with its faults table; or many traces as one partitioned dataset.')
    .argument('<trace>', TRACE_ARGUMENT)
    .argument(
      '[out.parquet]',
      'the events: seq, t_ns, kind, tid, addr, cpu; the trace metadata in the Parquet key-value metadata (with --dataset: more traces, or directories of them)',
    )
    .argument('[more-traces...]');
  addStatusOptions(addTraceOptions(cmd))
    .option('--faults', 'also write the faults table (one row per fault, closed as the exact variant does) to OUT.faults.parquet')
    .option(
      '--dataset <dir>',
      'write every trace given (or found under a directory given) into DIR as hive-partitioned Parquet: DIR/{events,faults,results,traces}/trace=ID/, ID from the file\'s content, so exporting it again replaces its partitions',
    )
    .option('--jobs <n>', 'with --dataset: traces exported at once (default 1: one export keeps two cores busy)', (v) => parsePositiveInt('--jobs', v))
    .action((trace: string, out: string | undefined, more: string[], opts: ExportOptions) =>
      opts.dataset !== undefined ? runDatasetExport([trace, ...(out !== undefined ? [out] : []), ...more], opts.dataset, opts) : runExport(trace, out, more, opts),
    );
  withExamples(cmd, [
    ['blocktime export trace.arrow trace.parquet --faults', 'and trace.faults.parquet'],
    ['blocktime export dst-trace.log trace.parquet', 'a QEMU log, straight to Parquet'],
    ['blocktime export --dataset fleet/ traces/', 'every trace under traces/, for DuckDB, Spark or Trino'],
  ]);
}

async function runExport(trace: string, out: string | undefined, more: readonly string[], opts: ExportOptions): Promise<void> {
  if (out === undefined) throw new UsageError("missing required argument 'out.parquet' (or --dataset DIR for several traces)");
  if (more.length > 0) throw new UsageError(`several traces (${more[0]}...) go into a dataset: --dataset DIR`);
  if (opts.jobs !== undefined) throw new UsageError('--jobs applies to --dataset');
  const status = createStatus('export', opts);
  const progress = createTraceProgress('export', 'rows');
  try {
    const summary = await exportTrace(trace, out, {
      faults: opts.faults ?? false,
      open: {
        ...openOptions(opts),
        onWarning: progress.onWarning,
      },
      onProgress: progress.onRows,
    });
    progress.done();
    await status.wrote(summary.events.path);
    if (summary.faults) await status.wrote(summary.faults.path);
    status.done();
  } finally {
    progress.done();
  }
}

/** A trace that fails is named on its own line and the others go on; exit 2 when any failed. */
async function runDatasetExport(inputs: readonly string[], out: string, opts: ExportOptions): Promise<void> {
  if (opts.faults) throw new UsageError('--dataset always writes the faults table: --faults is for a single Parquet file');
  const { files } = await expandTraceInputs(inputs);
  let failed = 0;
  await exportDataset(files, out, {
    open: { ...openOptions(opts), onWarning: (message) => process.stderr.write(`blocktime: warning: ${message}\n`) },
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    onTrace: (outcome) => {
      if ('error' in outcome) {
        failed++;
        const { message, exitCode } = toExit(outcome.error);
        // A bug of ours stops the run, as anywhere else; bad input is the trace's own.
        if (exitCode !== ExitCode.badInput) throw outcome.error;
        process.stderr.write(`blocktime: ${message}\n`);
      } else if (process.stderr.isTTY) process.stderr.write(`wrote ${outcome.trace} (${outcome.events} events) as trace=${outcome.id}\n`);
    },
  });
  if (failed > 0) process.exitCode = ExitCode.badInput;
}
