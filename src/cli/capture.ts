import { Command, Option } from 'commander';
import { NATIVE_DEFAULTS } from '../capture/native/options.js';
import { ACCESS_PATTERNS, SIM_DEFAULTS, SIM_OPTION_FLAGS, type AccessPattern, type SimOptions } from '../capture/sim/options.js';
import { SCENARIOS, SCENARIO_NAMES, findScenario } from '../capture/sim/scenarios.js';
import { simulateToWriter, type SimCaptureSummary, type SimRequest } from '../capture/sim/capture.js';
import { UsageError } from '../errors.js';
import { createTraceWriter } from '../formats/write.js';
import { WRITABLE_FORMATS, formatExtensions, type WritableFormat } from '../formats/registry.js';
import { formatCount, formatDuration, formatDurationCompact, formatSizeCompact, parseCount, parseDuration, parseFraction, parseNumber, parseRate, parseSize } from '../units.js';
import { addNativeCaptureOptions } from './options/native-flags.js';
import { addVcpuOptions, type VcpuOptionValues } from './options/vcpu-options.js';
import { vcpuOptionsGiven } from '../report/vcpu-selection.js';
import { OUTPUT_TRACE, addOutputFormatOption, outputFormatOf } from './options/trace-options.js';
import { withStopSignals } from './stop-signals.js';
import { createProgress } from './terminal/progress.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';
import { withExamples } from './help-examples.js';

/**
 * `blocktime capture`: `--sim` runs the seeded simulator, `--native` captures
 * real userfaultfd faults on this machine (capture-native.ts).
 * Options shared by both (--vcpus, --memory, --duration, ...) reach each
 * branch as the text the user typed, so each branch reads them with its own
 * meaning (for the simulator a bare `--memory 1000` is pages).
 */

type Flags = Record<string, unknown> & VcpuOptionValues & StatusOptionValues & {
  sim?: boolean;
  native?: boolean;
  output?: string;
  json?: boolean;
  outputFormat?: WritableFormat;
  /** The older spelling of --output-format. */
  format?: WritableFormat;
};

/** The simulator's knobs: SimOptions key (its flag is SIM_OPTION_FLAGS[key]), parser, what --help says. */
interface SimFlag {
  key: keyof SimOptions;
  parse: (option: string, text: string) => unknown;
  help: string;
}

const D = SIM_DEFAULTS;
/** Shared flags whose native default differs say both: the help is one list for the two modes. */
const N = NATIVE_DEFAULTS;
const pct = (f: number): string => `${+(f * 100).toPrecision(4)}%`;

const SIM_FLAGS: readonly SimFlag[] = [
  { key: 'seed', parse: (o, t) => parseCount(o, t, 0), help: `PRNG seed; same options and seed give a byte-identical trace (default ${D.seed})` },
  { key: 'vcpus', parse: (o, t) => parseCount(o, t, 1), help: `vCPU threads (default ${D.vcpus}; --native ${N.vcpus})` },
  { key: 'durationNs', parse: (o, t) => parseDuration(o, t, 's'), help: `simulated time during which threads touch memory; a bare number is seconds (default ${formatDurationCompact(D.durationNs)}; --native ${formatDurationCompact(N.durationNs)})` },
  { key: 'faults', parse: (o, t) => parseCount(o, t, 0), help: 'stop after exactly N fault rows instead (fewer only if all memory was placed first); 2k, 50M accepted' },
  { key: 'memoryBytes', parse: parseSize, help: `guest memory: a size (4G, 512M; powers of 1024) or a bare number of pages of --page-size (--native: 4096) (default ${formatSizeCompact(D.memoryBytes)}; --native ${formatSizeCompact(N.memoryBytes)})` },
  { key: 'pageSize', parse: (o, t) => parseSize(o, t), help: `bytes per page, a power of two (default ${D.pageSize})` },
  { key: 'pattern', parse: parseAccessPattern, help: `pages touched: seq (one ascending cursor), random, hotset (80% in a hot 1/16) (default ${D.pattern})` },
  { key: 'latencyNs', parse: (o, t) => parseDuration(o, t), help: `median page-request latency, lognormal: 200us, 1ms (default ${formatDurationCompact(D.latencyNs)})` },
  { key: 'latencySpread', parse: (o, t) => parseNumber(o, t, 0), help: `sigma of the lognormal latency; 0 makes every request take --latency (default ${D.latencySpread})` },
  {
    key: 'thinkNs',
    parse: (o, t) => parseDuration(o, t),
    // One flag, two models: the simulator draws run times, the native vCPUs pause between real touches.
    help:
      `a vCPU's run time between memory accesses: with --sim the mean of an exponential run time between two faults (default ${formatDurationCompact(D.thinkNs)}); ` +
      `with --native a fixed pause between two touches of guest memory, faulting or not (default ${formatDurationCompact(N.thinkNs)})`,
  },
  { key: 'bandwidth', parse: parseRate, help: `background placement stream: 100M/s, 1G/s (powers of 1024), or 0 for none (default ${formatSizeCompact(D.bandwidth)}/s)` },
  { key: 'reentrant', parse: parseFraction, help: `fraction of counted vCPU faults after whose placement the vCPU faults again before the resolve is accounted (default ${pct(D.reentrant)})` },
  { key: 'lateResolve', parse: parseFraction, help: `fraction of those where the first page is accounted after the second (default ${pct(D.lateResolve)})` },
  { key: 'duplicate', parse: parseFraction, help: `fraction of faults duplicated on a pending page, by another thread or the same one (default ${pct(D.duplicate)})` },
  { key: 'received', parse: parseFraction, help: `fraction of faults whose page the background stream places before the fault thread handles them (default ${pct(D.received)})` },
  { key: 'nonVcpu', parse: parseFraction, help: `approximate fraction of faults from threads that are not vCPUs (default ${pct(D.nonVcpu)})` },
  { key: 'nonVcpuThreads', parse: (o, t) => parseCount(o, t, 1), help: `how many such threads (default ${D.nonVcpuThreads})` },
  { key: 'tid0', parse: parseFraction, help: `fraction of faults recorded without a thread id (default ${pct(D.tid0)})` },
  { key: 'clockResolutionNs', parse: (o, t) => parseDuration(o, t), help: 'floor every timestamp to this: 1ms gives the atomic design\'s millisecond clock (default 1ns)' },
  { key: 'batchRows', parse: (o, t) => parseCount(o, t, 1), help: `rows per record batch (default ${D.batchRows})` },
];

/** Flags the simulator has and native capture does not. */
const SHARED: ReadonlyArray<keyof SimOptions> = ['seed', 'vcpus', 'durationNs', 'memoryBytes', 'pattern', 'latencyNs', 'bandwidth', 'thinkNs'];
const SIM_ONLY = SIM_FLAGS.filter((f) => !SHARED.includes(f.key)).map((f) => SIM_OPTION_FLAGS[f.key]);

export function register(program: Command): void {
  const cmd = program
    .command('capture')
    .description('Record a trace: --sim runs the seeded simulator of postcopy\'s threads, --native captures real userfaultfd faults on this machine.')
    .option('--sim', 'simulate (deterministic: same options and seed, same bytes)')
    .option('--native', 'capture on this machine with userfaultfd (needs the native addon)')
    .option('-o, --output <file>', `trace file: ${OUTPUT_TRACE}; - writes to stdout (an Arrow stream unless --output-format says otherwise)`);
  addOutputFormatOption(cmd, '--format')
    .addOption(new Option('--scenario <name>', 'a preset exercising one divergence between designs (see below); options given explicitly override it').choices(SCENARIO_NAMES as string[]))
    .option('--json', 'print the capture summary as JSON on stdout');
  for (const f of SIM_FLAGS) {
    const arg = f.key === 'memoryBytes' ? '<pages|size>' : `<${valueName(f)}>`;
    cmd.option(`${SIM_OPTION_FLAGS[f.key]} ${arg}`, f.help);
  }
  addNativeCaptureOptions(cmd);
  addStatusOptions(addVcpuOptions(cmd, "--native's per-vCPU table", 'the blocktime the vCPU threads timed'))
    .addHelpText(
      'after',
      `
Simulator (--sim): vCPU threads and other threads touch guest memory and block
on missing pages; a fault thread handles the faults in arrival order and
requests pages; the resolve thread places them and accounts each resolve; a
background stream places pages nobody asked for. Rows are written in the order
the page-request mutex serializes them, vcpu rows first, times in ns since a
boot-like epoch.

Scenarios (--scenario NAME; other irregularities off unless given):
${SCENARIOS.map((s) => wrap(`${s.name.padEnd(15)}${s.summary}`, 17) + '\n' + wrap(`${''.padEnd(15)}-> ${s.divergence}`, 18)).join('\n')}

Units: durations 250ns, 200us, 2ms, 1.5s; sizes 4096, 512M, 4G (K, M, G, T are
powers of 1024, as QEMU reads them); rates 100M/s, 1G/s; counts 5000, 2k, 50M;
fractions 0.3 or 30%.`,
    )
    .action((opts: Flags) => capture(opts));
  withExamples(cmd, [
    'blocktime capture --sim -o trace.arrow',
    'blocktime capture --sim --scenario reentrant --vcpus 4 --faults 10k -o re.arrow',
    ['blocktime capture --sim --faults 1M --bandwidth 0 -o - | gzip > big.arrows.gz', 'a stream, compressed'],
  ]);
}

/** Wraps `text` (indented by two) at 79 columns, continuation lines indented by `indent`. */
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = ' ';
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    if (line.length + 1 + word.length > 79 && line.trim() !== '') {
      lines.push(line);
      line = ' '.repeat(indent - 1);
    }
    line += ' ' + word;
  }
  lines.push(line);
  return lines.join('\n');
}

function valueName(f: SimFlag): string {
  if (['durationNs', 'latencyNs', 'thinkNs', 'clockResolutionNs'].includes(f.key)) return 'time';
  if (f.key === 'bandwidth') return 'rate';
  if (f.key === 'pageSize') return 'bytes';
  if (f.key === 'pattern') return 'seq|random|hotset';
  if (f.key === 'latencySpread') return 'sigma';
  if (['seed', 'vcpus', 'faults', 'nonVcpuThreads', 'batchRows'].includes(f.key)) return 'n';
  return 'fraction';
}

function parseAccessPattern(option: string, text: string): AccessPattern {
  const p = ACCESS_PATTERNS.find((x) => x === text);
  if (!p) throw new UsageError(`${option}: invalid value '${text}': expected one of ${ACCESS_PATTERNS.join(', ')}`);
  return p;
}

async function capture(flags: Flags): Promise<void> {
  if (flags.sim && flags.native) throw new UsageError('capture: give either --sim or --native, not both');
  const format = outputFormatOf(flags.outputFormat, '--format', flags.format);
  const status = createStatus('capture', flags);
  if (flags.native) {
    const given = SIM_ONLY.filter((f) => flags[camel(f)] !== undefined);
    if (given.length > 0 || flags.scenario !== undefined) throw new UsageError(`capture --native: ${given[0] ?? '--scenario'} applies to --sim only`);
    const { runNativeCaptureCommand } = await import('./capture-native.js');
    await runNativeCaptureCommand(flags, format, flags);
    await status.wrote(flags.output as string);
    status.done();
    return;
  }
  if (vcpuOptionsGiven(flags) || flags.all) throw new UsageError('capture --sim: --cpu, --tid, --sort, --top and --all apply to --native only (--sim prints no per-vCPU table)');
  if (!flags.sim) throw new UsageError('capture: give --sim (simulate) or --native (userfaultfd on this machine)');
  if (flags.resolvers !== undefined) throw new UsageError('capture --sim: --resolvers applies to --native only');
  const output = flags.output;
  if (typeof output !== 'string' || output === '') throw new UsageError(`capture --sim: give the output file with -o FILE (${formatExtensions(WRITABLE_FORMATS)}) or -o - for an Arrow stream on stdout`);
  if (output === '-' && flags.json) throw new UsageError('capture: --json prints on stdout, which -o - already uses for the trace');
  const request = simRequestFromFlags(flags);
  const progress = createProgress('capture --sim', { unit: 'rows' });
  let summary: SimCaptureSummary;
  try {
    summary = await withStopSignals((signal) =>
      simulateToWriter(request, (meta, batchRows) => createTraceWriter(output, meta, { ...(format ? { format } : {}), batchRows }), {
        onProgress: (rows) => progress.update(rows),
        signal,
      }),
    );
  } finally {
    progress.done();
  }
  const out = output === '-' ? process.stderr : process.stdout;
  if (flags.json) out.write(JSON.stringify({ output, ...summary }) + '\n');
  else out.write(describeSummary(summary));
  await status.wrote(output);
  status.done();
}

/** Where commander keeps a flag's value: `--late-resolve` -> `lateResolve`. */
const camel = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The scenario and every flag the user gave, parsed strictly. */
export function simRequestFromFlags(flags: Record<string, unknown>): SimRequest {
  const scenarioName = flags.scenario;
  const scenario = typeof scenarioName === 'string' ? findScenario(scenarioName) : undefined;
  if (typeof scenarioName === 'string' && !scenario) throw new UsageError(`--scenario: invalid value '${scenarioName}': expected one of ${SCENARIO_NAMES.join(', ')}`);
  const o: Partial<SimOptions> = {};
  for (const f of SIM_FLAGS) {
    const flag = SIM_OPTION_FLAGS[f.key];
    const text = flags[camel(flag)];
    if (text === undefined) continue;
    if (typeof text !== 'string') throw new UsageError(`${flag}: expected a value`);
    (o as Record<string, unknown>)[f.key] = f.parse(flag, text);
  }
  // A bare number of pages needs the page size, which may come later on the line.
  const memory = flags.memory;
  if (typeof memory === 'string' && /^\s*\d+\s*$/.test(memory)) o.memoryBytes = parseCount('--memory', memory, 1) * (o.pageSize ?? SIM_DEFAULTS.pageSize);
  if (o.faults !== undefined && flags.duration !== undefined) throw new UsageError('capture --sim: give --duration or --faults, not both');
  return scenario ? { options: o, scenario: scenario.name } : { options: o };
}

function describeSummary(s: SimCaptureSummary): string {
  const n = formatCount;
  const st = s.stats;
  const parts = [
    `${n(st.vcpuFaults)} vCPU faults`,
    `${n(st.nonVcpuFaults)} non-vCPU`,
    `${n(st.tid0Faults)} without tid`,
    `${n(st.reentrant)} re-entrant (${n(st.lateResolves)} resolved late)`,
    `${n(st.duplicates)} duplicates`,
    `${n(st.receivedFaults)} on received pages`,
    `${n(st.backgroundPlacements)} background placements`,
  ];
  return (
    `captured ${n(st.rows)} rows, ${n(s.options.vcpus)} vCPUs, ${formatDuration(st.endNs)} simulated` +
    `${s.scenario ? `, scenario ${s.scenario}` : ''}, seed ${s.options.seed}\n  ${parts.join(', ')}\n`
  );
}
