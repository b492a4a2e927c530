import { Command, Option } from 'commander';
import { VARIANTS, type VariantName } from '../replay/result.js';
import { renderAnalysis } from './terminal/analysis.js';
import { styleFor } from './terminal/style.js';
import { addExpectOptions, type ExpectOptionValues } from './options/expect-options.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { replayTraceFile } from './replay-trace-file.js';
import { TRACE_ARGUMENT, addTraceOptions, parsePositiveInt, parseVariant, type TraceOptionValues } from './options/trace-options.js';
import { withExamples } from './help-examples.js';
import { FLEET_ARGUMENT, namesFleet } from '../fleet/inputs.js';
import { addFleetOptions, givenTop, type FleetOptionValues } from './options/fleet-options.js';
import { refuseForFleet, runFleetCommand } from './fleet-command.js';

interface AnalyzeOptions extends TraceOptionValues, ExpectOptionValues, FleetOptionValues {
  output?: string;
  variant: VariantName;
  json?: boolean;
  timing?: boolean;
  all?: boolean;
  top: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('Replay a trace through one blocktime design and report per-vCPU and total blocktime, latencies and anomalies.')
    .argument('<trace>', TRACE_ARGUMENT)
    .argument('[more...]', FLEET_ARGUMENT)
    .addOption(
      new Option('--variant <name>', 'mutex (QEMU 10.1+), atomic (QEMU 2.12-10.0) or exact (the union of every wait)')
        .choices(VARIANTS)
        .default('mutex')
        .argParser(parseVariant),
    );
  addExpectOptions(addTraceOptions(cmd))
    .option('--json', 'print the result as one JSON object on stdout (the documented contract)')
    .option('--timing', 'print one JSON line of timings on stderr: events, read_s, replay_s, replay_events_per_s, total_s')
    .option('--all', 'list every vCPU (large VMs otherwise show the top vCPUs and a summary row)')
    .addOption(new Option('--top <n>', 'vCPUs listed when the table is cut; with several traces, the traces listed').default(16).argParser((v) => parsePositiveInt('--top', v)))
    .option('-o, --output <file>', 'with several traces: also write their rows as a table, .parquet, .csv or .ndjson');
  addFleetOptions(cmd).action(async (trace: string, more: string[], opts: AnalyzeOptions, self: Command) => {
    const traces = [trace, ...more];
    if (opts.output === undefined && !(await namesFleet(traces))) return analyze(trace, opts);
    refuseForFleet({ '--expect': opts.expect !== undefined, '--timing': opts.timing ?? false });
    const top = givenTop(self, opts.top);
    return runFleetCommand(traces, { ...opts, mode: 'analyze', explain: 0, json: opts.json ?? false, ...(top !== undefined ? { top } : {}) });
  });
  withExamples(cmd, [
    'blocktime analyze trace.arrow',
    ['cat trace.csv | blocktime analyze - --input-format csv --json | jq .total_blocktime_ns', 'from stdin, as JSON'],
    ['blocktime analyze trace.arrow trace.csv --sort worst -o fleet.parquet', 'several traces (or a directory, or a quoted pattern): a row each, also as Parquet'],
  ]);
}

async function analyze(file: string, opts: AnalyzeOptions): Promise<void> {
  if (opts.expect !== undefined) return (await import('./analyze-expect.js')).runExpectCheck(file, opts);
  // Loaded here, not at the top: every command is registered at start-up, and the replay is not needed for --help.
  const { replayTrace } = await import('../replay/engine.js');
  const progress = createTraceProgress('analyze', 'bytes and rows');
  const started = performance.now();
  try {
    const outcome = await replayTraceFile(file, opts, progress, (source, options) => replayTrace(source, [opts.variant], options));
    progress.done();
    const result = outcome.results[opts.variant];
    if (!result) throw new Error(`replay returned no ${opts.variant} result`);
    if (opts.timing) {
      const t = outcome.timing;
      // total_s is the command's wall time to the result, opening the file included.
      const timing = { events: t.events, read_s: t.read_s, replay_s: t.replay_s, replay_events_per_s: t.replay_events_per_s, total_s: (performance.now() - started) / 1000 };
      process.stderr.write(JSON.stringify(timing) + '\n');
    }
    if (opts.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      process.stdout.write(renderAnalysis(result, { file, all: opts.all ?? false, top: opts.top }, styleFor(process.stdout)));
    }
  } finally {
    progress.done();
  }
}
