/**
 * The options of a command run over many traces (`analyze`, `compare` and
 * `report` given several traces, a directory or a pattern): how many traces
 * replay at once, and where their rows go. `--sort` is the per-vCPU tables'
 * option (vcpu-options.ts), whose keys order traces too: a trace's vCPUs by
 * blocktime, faults, latency or cpu; a fleet's traces by the keys of
 * src/fleet/sort.ts. `--top` cuts whichever rows are listed.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { FLEET_SORT_KEYS, type FleetSortKey } from '../../fleet/sort.js';
import { VCPU_SORT_KEYS, type VcpuSortKey } from '../../report/vcpu-selection.js';
import { parsePositiveInt } from './trace-options.js';

export interface FleetOptionValues {
  jobs?: number;
  output?: string;
}

export function addJobsOption(cmd: Command): Command {
  return cmd.addOption(new Option('--jobs <n>', "traces replayed at once, in worker threads, with several traces (default: the machine's cores)").argParser((v) => parsePositiveInt('--jobs', v)));
}

/** --jobs, and -o for the fleet's rows as a table. */
export function addFleetOptions(cmd: Command): Command {
  return addJobsOption(cmd).option('-o, --output <file>', 'with several traces: also write their rows as a table, .parquet, .csv or .ndjson');
}

/** The --sort keys of a per-vCPU table and of a fleet's rows, for the one option. */
export const SORT_KEYS: readonly string[] = [...VCPU_SORT_KEYS, ...FLEET_SORT_KEYS];

/** `--sort` for one trace: a vCPU key. */
export function vcpuSort(sort: string | undefined): VcpuSortKey | undefined {
  if (sort === undefined || (VCPU_SORT_KEYS as readonly string[]).includes(sort)) return sort as VcpuSortKey | undefined;
  throw new UsageError(`--sort ${sort} orders the traces of a fleet; one trace's vCPUs sort by ${VCPU_SORT_KEYS.join(', ')}`);
}

/** `--sort` for several traces: a fleet key (total by default). */
export function fleetSort(sort: string | undefined): FleetSortKey {
  if (sort === undefined) return 'total';
  if ((FLEET_SORT_KEYS as readonly string[]).includes(sort)) return sort as FleetSortKey;
  throw new UsageError(`--sort ${sort} orders one trace's vCPUs; several traces sort by ${FLEET_SORT_KEYS.join(', ')}`);
}
