import { Command, Option } from 'commander';
import { buildHtmlReport } from '../report/html/build.js';
import { TIMELINE_BAR_BUDGET } from '../report/html/timeline-query.js';
import { writeOutputFile } from '../output-file.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { WINDOW_HELP, addWindowOptions, type WindowOptionValues, windowOf } from './options/window-options.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, parsePositiveInt, type TraceOptionValues } from './options/trace-options.js';
import { addVcpuOptions, type VcpuOptionValues } from './options/vcpu-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { withExamples } from './help-examples.js';

interface ReportOptions extends TraceOptionValues, WindowOptionValues, VcpuOptionValues, StatusOptionValues {
  output: string;
  timelineBars: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description('Write a self-contained HTML report of a trace: summary, timeline of blocked vCPUs, latency histogram and CDFs, the three designs compared, anomalies.')
    .argument('<trace>', TRACE_ARGUMENT)
    .option('-o, --output <file>', 'the HTML file to write', 'report.html');
  addWindowOptions(addTraceOptions(cmd))
    .addOption(
      new Option('--timeline-bars <n>', 'bars the timeline draws at most (about); past it, each vCPU is drawn in equal time bins')
        .default(TIMELINE_BAR_BUDGET)
        .argParser((v) => parsePositiveInt('--timeline-bars', v)),
    );
  addStatusOptions(addVcpuOptions(cmd, "the report's per-vCPU table"))
    .addHelpText(
      'after',
      `
The page needs no network: charts (Vega, inlined) draw as SVG in any browser.
${WINDOW_HELP}
In a window, the report's figures and charts are the window's, and its
timeline is clipped to it (times still from the trace's first row).`,
    )
    .action((trace: string, opts: ReportOptions) => report(trace, opts));
  withExamples(cmd, ['blocktime report trace.arrow', 'blocktime report trace.csv -o trace.html', ['blocktime report trace.arrow --since 2s --until 5s -o window.html', 'the seconds 2 to 5 only']]);
}

async function report(file: string, opts: ReportOptions): Promise<void> {
  const window = windowOf(opts);
  const status = createStatus('report', opts);
  const progress = createTraceProgress('report', 'rows');
  let built;
  try {
    built = await buildHtmlReport(file, {
      ...openOptions(opts),
      timelineBars: opts.timelineBars,
      view: opts,
      onWarning: progress.onWarning,
      onRows: progress.onRows,
      ...(window ? { window } : {}),
    });
  } finally {
    progress.done();
  }
  await writeOutputFile(opts.output, built.html);
  await status.wrote(opts.output);
  status.done();
}
