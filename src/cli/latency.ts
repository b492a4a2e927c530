import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { parseDuration } from '../units.js';
import { parsePageSize } from './options/trace-options.js';
import { styleFor } from './terminal/style.js';

interface LatencyCliOptions {
  source?: string;
  json?: boolean;
  clockOffset?: bigint;
  clock: 'auto' | 'same-host' | 'estimate';
  pageSize?: number;
}

/** A signed duration: the offset of the source's clock may be either way. */
function parseOffset(text: string): bigint {
  const neg = text.trim().startsWith('-');
  const ns = BigInt(parseDuration('--clock-offset', neg ? text.trim().slice(1) : text));
  return neg ? -ns : ns;
}

function parseClock(text: string): LatencyCliOptions['clock'] {
  if (text === 'auto' || text === 'same-host' || text === 'estimate') return text;
  throw new UsageError(`--clock: expected auto, same-host or estimate, got "${text}"`);
}

export function register(program: Command): void {
  program
    .command('latency')
    .description("Follow each postcopy fault across the destination's and the source's QEMU logs: request transit, source queue wait, page transit, total.")
    .argument('<dst-log>', "the destination QEMU's trace log (-msg timestamp=on; plain, gzip or zstd)")
    .option('--source <src-log>', "the source QEMU's trace log of the same migration")
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--clock-offset <duration>', "the source's clock minus the destination's (e.g. 1.5ms, -200us), when known", parseOffset)
    .addOption(
      new Option('--clock <how>', 'without --clock-offset: auto (one clock when the bounds allow it), same-host, or estimate (the middle of the bounds)')
        .default('auto')
        .argParser(parseClock),
    )
    .option('--page-size <bytes>', 'target page size (default 4096)', parsePageSize)
    .addHelpText(
      'after',
      `
Examples:
  blocktime latency dst.log --source src.log
  blocktime latency dst.log.gz --source src.log.gz --json | jq .legs.total
  blocktime latency dst.log --source src.log --clock-offset -1.2ms`,
    )
    .action((dst: string, opts: LatencyCliOptions) => run(dst, opts));
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
