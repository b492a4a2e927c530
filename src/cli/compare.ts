import type { Command } from 'commander';
import { comparisonKeys, renderComparison } from './terminal/comparison.js';
import { addVcpuOptions, type VcpuOptionValues } from './options/vcpu-options.js';
import { shownInJson } from '../report/vcpu-selection.js';
import { FLEET_ARGUMENT, namesFleet } from '../fleet/inputs.js';
import { addFleetOptions, fleetSort, vcpuSort, type FleetOptionValues } from './options/fleet-options.js';
import { runFleetCommand, refuseForFleet } from './fleet-command.js';
import { styleFor } from './terminal/style.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { parseCount } from '../units.js';
import { replayTraceFile } from './replay-trace-file.js';
import { WINDOW_HELP, addWindowOptions, type WindowOptionValues, windowOf } from './options/window-options.js';
import { TRACE_ARGUMENT, addTraceOptions, type TraceOptionValues } from './options/trace-options.js';
import { withExamples } from './help-examples.js';

interface CompareOptions extends TraceOptionValues, WindowOptionValues, VcpuOptionValues, FleetOptionValues {
  explain?: number;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      'Replay a trace through the exact, mutex (QEMU 10.1+) and atomic (QEMU 2.12-10.0) designs side by side, and explain every difference.',
    )
    .argument('<trace>', TRACE_ARGUMENT)
    .argument('[more...]', FLEET_ARGUMENT);
  addWindowOptions(addTraceOptions(cmd))
    .option('--explain <k>', 'also list the first K rows at which the designs diverge, and what each did there', (v) => parseExplain(v))
    .option('--json', 'print everything as one JSON object on stdout')
    .addHelpText(
      'after',
      `${WINDOW_HELP}
In a window, the explanation's counters are what they grew by inside it; its
identities (design - exact) hold for the whole trace only.`,
    );
  addFleetOptions(addVcpuOptions(cmd, 'the per-vCPU table', 'the largest difference from exact', true)).action(async (trace: string, more: string[], opts: CompareOptions) => {
    const traces = [trace, ...more];
    if (opts.output === undefined && !(await namesFleet(traces))) {
      vcpuSort(opts.sort);
      return compare(trace, opts);
    }
    refuseForFleet({ '--since/--until': windowOf(opts) !== undefined });
    const { sort: _vcpuSort, top, ...rest } = opts;
    return runFleetCommand(traces, { ...rest, mode: 'compare', variant: 'exact', explain: opts.explain ?? 0, json: opts.json ?? false, sort: fleetSort(opts.sort), ...(top !== undefined ? { top } : {}) });
  });
  withExamples(cmd, [
    'blocktime compare trace.arrow',
    ['blocktime compare trace.arrow --since 1s --until 2s --json | jq .explanation', 'what the designs disagree on, in one second'],
    ['blocktime compare trace.arrow trace.csv --sort atomic-error', "several traces (or a directory): the atomic design's largest error first"],
  ]);
}

function parseExplain(v: string): number {
  return parseCount('--explain', v, 0);
}

async function compare(file: string, opts: CompareOptions): Promise<void> {
  // Loaded here, not at the top: every command is registered at start-up, and the replay is not needed for --help.
  const { compareTrace } = await import('../compare/compare.js');
  const window = windowOf(opts);
  const { comparisonForVcpus } = await import('../compare/vcpu-subset.js');
  const { noteVcpuThreads } = await import('../trace/vcpu-threads.js');
  const progress = createTraceProgress('compare', 'bytes and rows');
  try {
    let tidOf: ((cpu: number) => number | undefined) | undefined;
    const result = await replayTraceFile(file, opts, progress, (source, options) => {
      const threads = noteVcpuThreads(source);
      tidOf = threads.tidOf;
      return compareTrace(threads.source, { explain: opts.explain ?? 0, ...options, ...(window ? { window } : {}) });
    });
    progress.done();
    if (opts.json) {
      const shown = shownInJson(result.vcpus, opts, comparisonKeys(result, tidOf));
      process.stdout.write(JSON.stringify(shown ? comparisonForVcpus(result, shown) : result) + '\n');
    } else {
      process.stdout.write(renderComparison(result, { ...opts, file, ...(tidOf ? { tidOf } : {}) }, styleFor(process.stdout)));
    }
  } finally {
    progress.done();
  }
}
