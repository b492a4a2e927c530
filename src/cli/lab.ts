import type { Command } from 'commander';
import { LAB_DEFAULTS, runLab, type LabOptions } from '../lab/lab.js';
import { styleFor } from './terminal/style.js';
import { formatDurationCompact, formatSizeCompact, parseCount, parseDuration, parseRate } from '../units.js';
import { parseList, parseMemory, parsePattern } from './options/native-flags.js';
import { withStopSignals } from './stop-signals.js';
import { renderLab } from './terminal/lab.js';
import { withExamples } from './help-examples.js';

interface LabFlags {
  vcpus?: string;
  resolvers?: string;
  latency?: string;
  duration?: string;
  repeat?: string;
  memory?: string;
  bandwidth?: string;
  think?: string;
  pattern?: string;
  seed?: string;
  json?: boolean;
}

const d = LAB_DEFAULTS;

export function register(program: Command): void {
  const cmd = program
    .command('lab')
    .description(
      'Native captures over a matrix of vCPUs x resolve threads x latency, each with accounting off, locking and atomic-op: ' +
        'fault round trip and overhead, cost per accounting call, lock hold and contention, live result vs replay. Needs userfaultfd (Linux).',
    )
    .option('--vcpus <list>', `vCPU thread counts (default ${d.vcpus.join(',')})`)
    .option('--resolvers <list>', `resolve thread counts (default ${d.resolvers.join(',')})`)
    .option('--latency <list>', `page request latencies (default ${d.latencyNs.map(formatDurationCompact).join(',')})`)
    .option('--duration <duration>', `length of each capture (default ${formatDurationCompact(d.durationNs)})`)
    .option('--repeat <n>', `runs of each mode per cell, interleaved; the table shows medians (default ${d.repeat})`)
    .option('--memory <pages|size>', `userfaultfd region per capture: a size (512M) or a bare number of 4 KiB pages, as capture reads it (default ${formatSizeCompact(d.memoryBytes)})`)
    .option('--bandwidth <rate>', `background stream of unrequested pages, 0 for none (default ${formatSizeCompact(d.bandwidth)}/s)`)
    .option('--think <duration>', `a vCPU's pause between two accesses (default ${formatDurationCompact(d.thinkNs)})`)
    .option('--pattern <name>', `seq, random or hotset (default ${d.pattern})`)
    .option('--seed <n>', `seed of the random and hotset patterns (default ${d.seed})`)
    .option('--json', 'print the results as one JSON object on stdout')
    .addHelpText(
      'after',
      `
Each cell runs three captures with the same settings, --repeat times, modes
interleaved: accounting off, the locking design (QEMU >= 10.1) and the
atomic-op design (QEMU <= 10.0). The round trip is a faulting access as the vCPU
thread timed it. "overhead" is the change of its median against "off" (on a busy
machine, mostly noise); "by its call cost" divides the design's median time per
fault-path call, less that of an empty timed call, by the median round trip with
accounting off. The default run takes about 20 s.`,
    )
    .action((flags: LabFlags) => lab(flags));
  withExamples(cmd, ['blocktime lab', 'blocktime lab --vcpus 1,2,4,8 --resolvers 1 --latency 0,50us,200us --json']);
}

function labOptions(f: LabFlags): LabOptions {
  const duration = (o: string, t: string): number => parseDuration(o, t);
  return {
    vcpus: f.vcpus === undefined ? d.vcpus : parseList('--vcpus', f.vcpus, (o, t) => parseCount(o, t, 1)),
    resolvers: f.resolvers === undefined ? d.resolvers : parseList('--resolvers', f.resolvers, (o, t) => parseCount(o, t, 1)),
    latencyNs: f.latency === undefined ? d.latencyNs : parseList('--latency', f.latency, (o, t) => (t.trim() === '0' ? 0 : duration(o, t))),
    durationNs: f.duration === undefined ? d.durationNs : parseDuration('--duration', f.duration, 's'),
    repeat: f.repeat === undefined ? d.repeat : parseCount('--repeat', f.repeat, 1),
    memoryBytes: f.memory === undefined ? d.memoryBytes : parseMemory('--memory', f.memory),
    bandwidth: f.bandwidth === undefined ? d.bandwidth : parseRate('--bandwidth', f.bandwidth),
    thinkNs: f.think === undefined ? d.thinkNs : parseDuration('--think', f.think),
    pattern: f.pattern === undefined ? d.pattern : parsePattern(f.pattern),
    seed: f.seed === undefined ? d.seed : parseCount('--seed', f.seed),
  };
}

async function lab(flags: LabFlags): Promise<void> {
  const options = labOptions(flags);
  // One self-overwriting line on a terminal: which capture of how many is running.
  const tty = process.stderr.isTTY === true;
  const status = (text: string): void => {
    if (tty) process.stderr.write(`\r\x1b[K${text}`);
  };
  let result;
  try {
    result = await withStopSignals((signal) => runLab(options, { signal, onProgress: (p) => status(`lab: capture ${p.done + 1} of ${p.total}`) }));
  } finally {
    status('');
  }
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(renderLab(result, styleFor(process.stdout)));
}
