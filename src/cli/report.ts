import { Command, Option } from 'commander';
import { buildHtmlReport } from '../report/html/build.js';
import { TIMELINE_BAR_BUDGET } from '../report/html/timeline-query.js';
import { writeOutputFile } from '../output-file.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { formatBytes } from '../units.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, parsePositiveInt, type TraceOptionValues } from './options/trace-options.js';
import { withExamples } from './help-examples.js';
import { FLEET_ARGUMENT, expandInputs, namesFleet } from '../fleet/inputs.js';
import { FLEET_WORST_ROWS } from '../report/html/fleet-build.js';
import { addJobsOption } from './options/fleet-options.js';
import { ExitCode } from '../errors.js';

interface ReportOptions extends TraceOptionValues {
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
  addTraceOptions(cmd)
    .addOption(
      new Option('--timeline-bars <n>', 'bars the timeline draws at most (about); past it, each vCPU is drawn in equal time bins')
        .default(TIMELINE_BAR_BUDGET)
        .argParser((v) => parsePositiveInt('--timeline-bars', v)),
    )
    .option('--top <n>', `with several traces: the worst migrations listed (default ${FLEET_WORST_ROWS})`, (v) => parsePositiveInt('--top', v))
    .option('--per-trace', "with several traces: also write each listed trace's report, in NAME-traces/ beside the page, and link to it");
  addJobsOption(cmd)
    .addHelpText(
      'after',
      `
The page needs no network: charts (Vega, inlined) draw as SVG in any browser.`,
    )
    .action(async (trace: string, more: string[], opts: ReportOptions) => {
      const traces = [trace, ...more];
      if (await namesFleet(traces)) return fleetReport(traces, opts);
      return report(trace, opts);
    });
  withExamples(cmd, [
    'blocktime report trace.arrow',
    'blocktime report trace.csv -o trace.html',
    ['blocktime report trace.arrow trace.csv -o fleet.html --per-trace', "several traces (or a directory): the fleet's page, the worst traces' own pages beside it"],
  ]);
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
  const also = built.perTrace.length > 0 ? ` and ${built.perTrace.length} trace reports beside it` : '';
  process.stderr.write(`wrote ${opts.output} (${formatBytes(Buffer.byteLength(built.html))})${also}\n`);
  if (built.failed.length > 0) process.exitCode = built.failed.some((f) => f.exit_code === ExitCode.internal) ? ExitCode.internal : ExitCode.badInput;
}
