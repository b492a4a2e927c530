import { Command, Option } from 'commander';
import { CLOCK_HELP, CLOCK_OFFSET_HELP, parseClockAssumption, parseClockOffset, type ClockAssumption } from './options/clock-options.js';
import { parsePageSize } from './options/trace-options.js';
import { styleFor } from './terminal/style.js';
import { withExamples } from './help-examples.js';

interface LatencyCliOptions {
  source?: string;
  json?: boolean;
  clockOffset?: bigint;
  clock: ClockAssumption;
  pageSize?: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('latency')
    .description("Follow each postcopy fault across the destination's and the source's QEMU logs: request transit, source queue wait, page transit, total.")
    .argument('<dst-log>', "the destination QEMU's trace log (-msg timestamp=on; plain, gzip or zstd)")
    .option('--source <src-log>', "the source QEMU's trace log of the same migration")
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--clock-offset <duration>', CLOCK_OFFSET_HELP, parseClockOffset)
    .addOption(new Option('--clock <how>', CLOCK_HELP).default('auto').argParser(parseClockAssumption))
    .option('--page-size <bytes>', 'target page size (default 4096)', parsePageSize)
    .action((dst: string, opts: LatencyCliOptions) => run(dst, opts));
  withExamples(cmd, [
    'blocktime latency dst.log --source src.log',
    ['blocktime latency dst.log.gz --source src.log.gz --json | jq .legs.total', 'compressed logs; the total leg as JSON'],
    ['blocktime latency dst.log --source src.log --clock-offset=-1.2ms', 'two hosts whose clocks differ by a known offset'],
  ]);
}

async function run(dst: string, opts: LatencyCliOptions): Promise<void> {
  const { measureLatency } = await import('../latency/latency.js');
  const { report } = await measureLatency(dst, opts.source, {
    clock: opts.clock,
    ...(opts.clockOffset !== undefined ? { clockOffsetNs: opts.clockOffset } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
  });
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const { renderLatency } = await import('./terminal/latency.js');
  process.stdout.write(renderLatency(report, { destination: dst, ...(opts.source !== undefined ? { source: opts.source } : {}) }, styleFor(process.stdout)));
}
