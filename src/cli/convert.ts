import type { Command } from 'commander';
import { convertTrace } from '../formats/convert.js';
import type { WritableFormat } from '../formats/registry.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { OUTPUT_TRACE, TRACE_ARGUMENT, addOutputFormatOption, addTraceOptions, openOptions, outputFormatOf } from './options/trace-options.js';
import type { TraceOptionValues } from './options/trace-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { withExamples } from './help-examples.js';

interface ConvertCliOptions extends TraceOptionValues, StatusOptionValues {
  outputFormat?: WritableFormat;
  /** The older spelling of --output-format. */
  to?: WritableFormat;
}

export function register(program: Command): void {
  const cmd = program
    .command('convert')
    .description('Convert a trace between Arrow (file or stream), CSV and NDJSON, streaming; QEMU trace logs and Parquet are read too.')
    .argument('<in>', `input ${TRACE_ARGUMENT}`)
    .argument('<out>', `output trace: ${OUTPUT_TRACE}; '-' writes to stdout (an Arrow stream unless --output-format says otherwise)`);
  addStatusOptions(addOutputFormatOption(addTraceOptions(cmd), '--to'))
    .addHelpText(
      'after',
      `
Every format carries the trace's metadata (page size, vCPUs, start, source) to OUT:
Arrow in its schema, CSV in '# blocktime.*' comments, NDJSON in a first line of
blocktime.* keys. --page-size and --vcpus override it, for files written without it.`,
    )
    .action((input: string, output: string, opts: ConvertCliOptions) => convert(input, output, opts));
  withExamples(cmd, [
    'blocktime convert trace.arrow trace.csv',
    ['blocktime convert trace.csv trace.arrow --page-size 2M --vcpus 8', 'metadata for a file that has none'],
    'blocktime convert trace.arrow - --output-format ndjson | gzip > trace.ndjson.gz',
  ]);
}

async function convert(input: string, output: string, opts: ConvertCliOptions): Promise<void> {
  const to = outputFormatOf(opts.outputFormat, '--to', opts.to);
  const status = createStatus('convert', opts);
  const progress = createTraceProgress('convert', 'bytes');
  try {
    await convertTrace(input, output, {
      ...openOptions(opts),
      ...(to ? { to } : {}),
      onWarning: progress.onWarning,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.done();
  }
  await status.wrote(output);
  status.done();
}
