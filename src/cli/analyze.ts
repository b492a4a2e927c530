import { Command, Option } from 'commander';
import { analysisKeys, renderAnalysis } from './terminal/analysis.js';
import { analysisForVcpus } from '../replay/vcpu-subset.js';
import { shownInJson } from '../report/vcpu-selection.js';
import { VARIANTS, type VariantName } from '../replay/result.js';
import { styleFor } from './terminal/style.js';
import { addExpectOptions, type ExpectOptionValues } from './options/expect-options.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { replayTraceFile } from './replay-trace-file.js';
import { UsageError } from '../errors.js';
import { WINDOW_HELP, addWindowOptions, type WindowOptionValues, windowOf } from './options/window-options.js';
import { TRACE_ARGUMENT, addTraceOptions, openOptions, parseVariant, type TraceOptionValues } from './options/trace-options.js';
import { addVcpuOptions, type VcpuOptionValues } from './options/vcpu-options.js';
import { withExamples } from './help-examples.js';
import type { MigrationFile, PhaseRecord } from '../latency/migration-file.js';
import type { PhaseFigure, RowTimes } from '../latency/phase-figures.js';
import { FLEET_ARGUMENT, namesFleet } from '../fleet/inputs.js';
import { addFleetOptions, fleetSort, vcpuSort, type FleetOptionValues } from './options/fleet-options.js';
import { refuseForFleet, runFleetCommand } from './fleet-command.js';

interface AnalyzeOptions extends TraceOptionValues, ExpectOptionValues, WindowOptionValues, VcpuOptionValues, FleetOptionValues {
  variant: VariantName;
  json?: boolean;
  timing?: boolean;
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
  addWindowOptions(addExpectOptions(addTraceOptions(cmd)))
    .option('--json', 'print the result as one JSON object on stdout (the documented contract)')
    .option('--timing', 'print one JSON line of timings on stderr: events, read_s, replay_s, replay_events_per_s, total_s')
    .addHelpText('after', WINDOW_HELP);
  addFleetOptions(addVcpuOptions(cmd, 'the per-vCPU table', 'blocktime', true)).action(async (trace: string, more: string[], opts: AnalyzeOptions) => {
    const traces = [trace, ...more];
    if (opts.output === undefined && !(await namesFleet(traces))) {
      vcpuSort(opts.sort);
      return analyze(trace, opts);
    }
    refuseForFleet({ '--expect': opts.expect !== undefined, '--timing': opts.timing ?? false, '--since/--until': windowOf(opts) !== undefined });
    const { sort: _vcpuSort, top, ...rest } = opts;
    return runFleetCommand(traces, { ...rest, mode: 'analyze', explain: 0, json: opts.json ?? false, sort: fleetSort(opts.sort), ...(top !== undefined ? { top } : {}) });
  });
  withExamples(cmd, [
    'blocktime analyze trace.arrow',
    ['cat trace.csv | blocktime analyze - --input-format csv --json | jq .total_blocktime_ns', 'from stdin, as JSON'],
    ['blocktime analyze trace.arrow trace.csv --sort worst -o fleet.parquet', 'several traces (or a directory, or a quoted pattern): a row each, also as Parquet'],
  ]);
}

/** Faults and blocktime per phase: a boundary among the faults is one more replay, up to it. */
async function phasesOf(file: string, opts: AnalyzeOptions, phases: PhaseRecord[], times: RowTimes, total: number): Promise<PhaseFigure[]> {
  const { phaseFigures, rowsBefore } = await import('../latency/phase-figures.js');
  const { replayBatches } = await import('../replay/engine.js');
  const { openTrace } = await import('../formats/open.js');
  return phaseFigures(phases, times, total, async (cut) => {
    const source = await openTrace(file, openOptions(opts));
    try {
      const outcome = await replayBatches(source.meta, rowsBefore(source.batches(), cut), [opts.variant], { file: source.path });
      return outcome.results[opts.variant]!.total_blocktime_ns;
    } finally {
      await source.close();
    }
  });
}

async function analyze(file: string, opts: AnalyzeOptions): Promise<void> {
  const window = windowOf(opts);
  if (window && opts.expect !== undefined) throw new UsageError('--expect checks the figures QEMU gave for the whole migration: not with --since or --until');
  if (opts.expect !== undefined) return (await import('./analyze-expect.js')).runExpectCheck(file, opts);
  // Loaded here, not at the top: every command is registered at start-up, and the replay is not needed for --help.
  const { replayTrace } = await import('../replay/engine.js');
  const { noteVcpuThreads } = await import('../trace/vcpu-threads.js');
  const progress = createTraceProgress('analyze', 'bytes and rows');
  const started = performance.now();
  try {
    const { migrationOfTrace } = await import('../latency/trace-migration.js');
    const { RowTimes } = await import('../latency/phase-figures.js');
    let migration: MigrationFile | undefined;
    const times = new RowTimes();
    let tidOf: ((cpu: number) => number | undefined) | undefined;
    const outcome = await replayTraceFile(file, opts, progress, async (source, options) => {
      // Phases are the whole migration's: a window's figures have none.
      migration = window ? undefined : await migrationOfTrace(source.path, source.format, source.meta);
      // Only a trace with phases pays for following its rows' times.
      const followed = migration?.phases.some((p) => p.kind === 'state') ? { path: source.path, format: source.format, meta: source.meta, batches: () => times.tap(source.batches()), close: () => source.close() } : source;
      const threads = noteVcpuThreads(followed);
      tidOf = threads.tidOf;
      return replayTrace(threads.source, [opts.variant], { ...options, ...(window ? { window } : {}) });
    });
    progress.done();
    const result = outcome.results[opts.variant];
    if (!result) throw new Error(`replay returned no ${opts.variant} result`);
    const phases = migration?.phases.some((p) => p.kind === 'state') ? await phasesOf(file, opts, migration.phases, times, result.total_blocktime_ns) : undefined;
    if (opts.timing) {
      const t = outcome.timing;
      // total_s is the command's wall time to the result, opening the file included.
      const timing = { events: t.events, read_s: t.read_s, replay_s: t.replay_s, replay_events_per_s: t.replay_events_per_s, total_s: (performance.now() - started) / 1000 };
      process.stderr.write(JSON.stringify(timing) + '\n');
    }
    if (opts.json) {
      const shown = shownInJson(result.vcpus, opts, analysisKeys(result, tidOf));
      const json = shown ? analysisForVcpus(result, shown) : result;
      process.stdout.write(JSON.stringify(phases ? { ...json, phases } : json) + '\n');
    } else {
      const c = styleFor(process.stdout);
      process.stdout.write(renderAnalysis(result, { ...opts, file, ...(tidOf ? { tidOf } : {}) }, c));
      if (phases) process.stdout.write((await import('./terminal/phases.js')).renderPhases(phases, c));
    }
  } finally {
    progress.done();
  }
}
