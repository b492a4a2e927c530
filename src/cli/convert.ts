import { Command, Option } from 'commander';
import { convertTrace } from '../trace/convert.js';
import type { TraceFormat } from '../trace/source.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { TRACE_FORMATS, addTraceOptions, openOptions, parseFormat } from './options/trace-options.js';
import type { TraceOptionValues } from './options/trace-options.js';

interface ConvertCliOptions extends TraceOptionValues {
  to?: TraceFormat;
}

export function register(program: Command): void {
  const cmd = program
    .command('convert')
    .description('Convert a trace between Arrow (file or stream), CSV and NDJSON, streaming; QEMU trace logs are read too.')
    .argument('<in>', "input trace: .arrow, .arrows, .csv, .ndjson, a QEMU trace log (or --format); '-' reads an Arrow stream from stdin")
    .argument('<out>', "output trace: .arrow (IPC file), .arrows (IPC stream), .csv, .ndjson (or --to); '-' writes an Arrow stream to stdout");
  addTraceOptions(cmd)
    .addOption(new Option('--to <format>', `output format instead of the extension's: ${TRACE_FORMATS.filter((f) => f !== 'parquet' && f !== 'qemu-log').join(', ')}`).argParser(parseFormat))
    .addHelpText(
      'after',
      `
--page-size, --vcpus set the metadata written to OUT (CSV and NDJSON inputs carry none).

Examples:
  blocktime convert trace.arrow trace.csv
  blocktime convert trace.csv trace.arrow --page-size 2M --vcpus 8
  blocktime convert dst-trace.log trace.arrows`,
    )
    .action((input: string, output: string, opts: ConvertCliOptions) => convert(input, output, opts));
}

async function convert(input: string, output: string, opts: ConvertCliOptions): Promise<void> {
  const progress = createTraceProgress('convert', 'bytes');
  try {
    await convertTrace(input, output, {
      ...openOptions(opts),
      ...(opts.to ? { to: opts.to } : {}),
      onWarning: progress.onWarning,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.done();
  }
}
