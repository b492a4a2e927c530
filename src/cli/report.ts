import { Command, Option } from 'commander';
import { buildHtmlReport } from '../report/html/build.js';
import { TIMELINE_BAR_BUDGET } from '../report/html/timeline-query.js';
import { writeOutputFile } from '../output-file.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { formatBytes } from '../units.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, parsePositiveInt, type TraceOptionValues } from './options/trace-options.js';
import { withExamples } from './help-examples.js';

interface ReportOptions extends TraceOptionValues {
  output: string;
  timelineBars: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description('Write a self-contained HTML report of a trace: summary, timeline of blocked vCPUs, latency histogram and CDFs, the three designs compared, anomalies.')
    .argument('<trace>', TRACE_ARGUMENT)
    .option('-o, --output <file>', 'the HTML file to write', 'report.html');
  addTraceOptions(cmd)
    .addOption(
      new Option('--timeline-bars <n>', 'bars the timeline draws at most (about); past it, each vCPU is drawn in equal time bins')
        .default(TIMELINE_BAR_BUDGET)
        .argParser((v) => parsePositiveInt('--timeline-bars', v)),
    )
    .addHelpText(
      'after',
      `
The page needs no network: charts (Vega, inlined) draw as SVG in any browser.`,
    )
    .action((trace: string, opts: ReportOptions) => report(trace, opts));
  withExamples(cmd, ['blocktime report trace.arrow', 'blocktime report trace.csv -o trace.html']);
}

async function report(file: string, opts: ReportOptions): Promise<void> {
  const progress = createTraceProgress('report', 'rows');
  let built;
  try {
    built = await buildHtmlReport(file, {
      ...openOptions(opts),
      timelineBars: opts.timelineBars,
      onWarning: progress.onWarning,
      onRows: progress.onRows,
    });
  } finally {
    progress.done();
  }
  await writeOutputFile(opts.output, built.html);
  process.stderr.write(`wrote ${opts.output} (${formatBytes(Buffer.byteLength(built.html))})\n`);
}
