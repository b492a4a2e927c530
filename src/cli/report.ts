import { Command, Option } from 'commander';
import { buildHtmlReport } from '../report/html/build.js';
import { TIMELINE_BAR_BUDGET } from '../report/html/timeline-builder.js';
import { writeOutputFile } from '../output-file.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { WINDOW_HELP, addWindowOptions, type WindowOptionValues, windowOf } from './options/window-options.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, parsePositiveInt, type TraceOptionValues } from './options/trace-options.js';
import { addVcpuOptions, type VcpuOptionValues } from './options/vcpu-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { withExamples } from './help-examples.js';
import { FLEET_ARGUMENT, expandInputs, namesFleet } from '../fleet/inputs.js';
import { FLEET_WORST_ROWS } from '../report/html/fleet-build.js';
import { addJobsOption } from './options/fleet-options.js';
import { ExitCode } from '../errors.js';

interface ReportOptions extends TraceOptionValues, WindowOptionValues, VcpuOptionValues, StatusOptionValues {
  output: string;
  timelineBars: number;
  jobs?: number;
  top?: number;
  perTrace?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description('Write a self-contained HTML report of a trace: summary, timeline of blocked vCPUs, latency histogram and CDFs, the three designs compared, anomalies.')
    .argument('<trace>', TRACE_ARGUMENT)
    .argument('[more...]', FLEET_ARGUMENT)
    .option('-o, --output <file>', 'the HTML file to write', 'report.html');
  addWindowOptions(addTraceOptions(cmd))
    .addOption(
      new Option('--timeline-bars <n>', 'bars the timeline draws at most (about); past it, each vCPU is drawn in equal time bins')
        .default(TIMELINE_BAR_BUDGET)
        .argParser((v) => parsePositiveInt('--timeline-bars', v)),
    )
    .option('--per-trace', "with several traces: also write each listed trace's report, in NAME-traces/ beside the page, and link to it");
  // --top: with several traces, the worst migrations listed (default FLEET_WORST_ROWS).
  addJobsOption(addStatusOptions(addVcpuOptions(cmd, "the report's per-vCPU table")))
    .addHelpText(
      'after',
      `
The page needs no network: charts (Vega, inlined) draw as SVG in any browser.
With several traces, --top is the number of worst migrations listed (default ${FLEET_WORST_ROWS}).
${WINDOW_HELP}
In a window, the report's figures and charts are the window's, and its
timeline is clipped to it (times still from the trace's first row).`,
    )
    .action(async (trace: string, more: string[], opts: ReportOptions) => {
      const traces = [trace, ...more];
      if (await namesFleet(traces)) return fleetReport(traces, opts);
      return report(trace, opts);
    });
  withExamples(cmd, [
    'blocktime report trace.arrow',
    ['blocktime report trace.arrow --since 2s --until 5s -o window.html', 'the seconds 2 to 5 only'],
    ['blocktime report trace.arrow trace.csv -o fleet.html --per-trace', "several traces (or a directory): the fleet's page, the worst traces' own pages beside it"],
  ]);
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

async function fleetReport(traces: string[], opts: ReportOptions): Promise<void> {
  const { buildFleetReport } = await import('../report/html/fleet-build.js');
  const paths = await expandInputs(traces);
  const progress = createTraceProgress('report (traces)', 'rows');
  let built;
  try {
    built = await buildFleetReport(paths, {
      inputs: traces,
      open: openOptions(opts),
      output: opts.output,
      ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
      ...(opts.top !== undefined ? { top: opts.top } : {}),
      ...(opts.perTrace ? { perTraceDir: opts.output.replace(/\.html?$/i, '') + '-traces' } : {}),
      onWarning: progress.onWarning,
      onProgress: (done) => progress.onRows(done),
    });
  } finally {
    progress.done();
  }
  await writeOutputFile(opts.output, built.html);
  for (const f of built.failed) process.stderr.write(`blocktime: ${f.error}\n`);
  const status = createStatus('report', opts);
  await status.wrote(opts.output);
  for (const page of built.perTrace) await status.wrote(page);
  status.done();
  if (built.failed.length > 0) process.exitCode = built.failed.some((f) => f.exit_code === ExitCode.internal) ? ExitCode.internal : ExitCode.badInput;
}
