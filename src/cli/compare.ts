import type { Command } from 'commander';
import { FLEET_ARGUMENT, namesFleet } from '../fleet/inputs.js';
import { addFleetOptions, givenTop, type FleetOptionValues } from './options/fleet-options.js';
import { runFleetCommand } from './fleet-command.js';
import { renderComparison } from './terminal/comparison.js';
import { styleFor } from './terminal/style.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { parseCount } from '../units.js';
import { replayTraceFile } from './replay-trace-file.js';
import { TRACE_ARGUMENT, addTraceOptions, parsePositiveInt, type TraceOptionValues } from './options/trace-options.js';
import { withExamples } from './help-examples.js';

interface CompareOptions extends TraceOptionValues, FleetOptionValues {
  output?: string;
  explain?: number;
  json?: boolean;
  all?: boolean;
  top: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      'Replay a trace through the exact, mutex (QEMU 10.1+) and atomic (QEMU 2.12-10.0) designs side by side, and explain every difference.',
    )
    .argument('<trace>', TRACE_ARGUMENT)
    .argument('[more...]', FLEET_ARGUMENT);
  addTraceOptions(cmd)
    .option('--explain <k>', 'also list the first K rows at which the designs diverge, and what each did there', (v) => parseExplain(v))
    .option('--json', 'print everything as one JSON object on stdout')
    .option('--all', 'list every vCPU (large VMs otherwise show the vCPUs that differ most and a summary row)')
    .option('--top <n>', 'vCPUs listed when the table is cut; with several traces, the traces listed', (v) => parsePositiveInt('--top', v), 16)
    .option('-o, --output <file>', 'with several traces: also write their rows as a table, .parquet, .csv or .ndjson');
  addFleetOptions(cmd).action(async (trace: string, more: string[], opts: CompareOptions, self: Command) => {
    const traces = [trace, ...more];
    if (opts.output === undefined && !(await namesFleet(traces))) return compare(trace, opts);
    const top = givenTop(self, opts.top);
    return runFleetCommand(traces, { ...opts, mode: 'compare', variant: 'exact', explain: opts.explain ?? 0, json: opts.json ?? false, ...(top !== undefined ? { top } : {}) });
  });
  withExamples(cmd, [
    'blocktime compare trace.arrow',
    ['blocktime compare trace.arrow --explain 10', 'the first 10 rows where the designs diverge'],
    ['blocktime compare trace.arrow trace.csv --sort atomic-error', "several traces (or a directory): the atomic design's largest error first"],
  ]);
}

function parseExplain(v: string): number {
  return parseCount('--explain', v, 0);
}

async function compare(file: string, opts: CompareOptions): Promise<void> {
  // Loaded here, not at the top: every command is registered at start-up, and the replay is not needed for --help.
  const { compareTrace } = await import('../compare/compare.js');
  const progress = createTraceProgress('compare', 'bytes and rows');
  try {
    const result = await replayTraceFile(file, opts, progress, (source, options) => compareTrace(source, { explain: opts.explain ?? 0, ...options }));
    progress.done();
    if (opts.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      process.stdout.write(renderComparison(result, { file, all: opts.all ?? false, top: opts.top }, styleFor(process.stdout)));
    }
  } finally {
    progress.done();
  }
}
