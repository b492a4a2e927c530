import type { Command } from 'commander';
import { createTraceProgress } from './terminal/trace-progress.js';
import { exportTrace } from '../sql/export.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, type TraceOptionValues } from './options/trace-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { withExamples } from './help-examples.js';

interface ExportOptions extends TraceOptionValues, StatusOptionValues {
  faults?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('export')
    .description('Write a trace as Parquet (DuckDB, Spark, Trino read it as it is), optionally with its faults table.')
    .argument('<trace>', TRACE_ARGUMENT)
    .argument('<out.parquet>', 'the events: seq, t_ns, kind, tid, addr, cpu; the trace metadata in the Parquet key-value metadata');
  addStatusOptions(addTraceOptions(cmd))
    .option('--faults', 'also write the faults table (one row per fault, closed as the exact variant does) to OUT.faults.parquet')
    .action((trace: string, out: string, opts: ExportOptions) => runExport(trace, out, opts));
  withExamples(cmd, [
    ['blocktime export trace.arrow trace.parquet --faults', 'and trace.faults.parquet'],
    ['blocktime export dst-trace.log trace.parquet', 'a QEMU log, straight to Parquet'],
    ['blocktime query --print-views trace.arrow > views.sql', 'the same analysis on another engine'],
  ]);
}

async function runExport(trace: string, out: string, opts: ExportOptions): Promise<void> {
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
