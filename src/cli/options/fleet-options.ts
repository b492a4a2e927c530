/**
 * The options of a command run over many traces (`analyze`, `compare` and
 * `report` given several traces, a directory or a pattern): how many
 * traces replay at once, and how the rows are ordered. `--sort` here orders
 * traces; `--top` (the command's own) cuts them.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { FLEET_SORT_KEYS, type FleetSortKey } from '../../fleet/sort.js';
import { parsePositiveInt } from './trace-options.js';

export interface FleetOptionValues {
  jobs?: number;
  sort: FleetSortKey;
}

export function addJobsOption(cmd: Command): Command {
  return cmd.addOption(new Option('--jobs <n>', "traces replayed at once, in worker threads, with several traces (default: the machine's cores)").argParser((v) => parsePositiveInt('--jobs', v)));
}

export function addFleetOptions(cmd: Command): Command {
  return addJobsOption(cmd).addOption(
    new Option('--sort <key>', 'with several traces: the order of their rows, worst first (file: by name)')
      .choices(FLEET_SORT_KEYS)
      .default('total')
      .argParser(parseFleetSort),
  );
}

export function parseFleetSort(value: string): FleetSortKey {
  const key = FLEET_SORT_KEYS.find((k) => k === value.toLowerCase());
  if (!key) throw new UsageError(`--sort: invalid value '${value}': expected one of ${FLEET_SORT_KEYS.join(', ')}`);
  return key;
}

/** `--top` as the user gave it, if they did: with several traces its default (made for vCPU tables) does not cut the traces. */
export function givenTop(cmd: Command, top: number): number | undefined {
  return cmd.getOptionValueSource('top') === 'cli' ? top : undefined;
}
