/**
 * The options of every per-vCPU table, one spelling and one meaning for
 * analyze, compare, report and capture: which vCPUs are shown (`--cpu`,
 * `--tid`), in which order (`--sort`) and how many (`--top`, `--all`).
 * They choose what is shown, never what is computed: totals and sums stay
 * the whole VM's (docs/trace-format.md#showing-some-vcpus). What they select
 * is worked out in src/report/vcpu-selection.ts.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseCount } from '../../units.js';
import { VCPU_SORT_KEYS, type VcpuOptionValues, type VcpuSortKey } from '../../report/vcpu-selection.js';
import { FLEET_SORT_KEYS } from '../../fleet/sort.js';
import { SORT_KEYS } from './fleet-options.js';

export type { VcpuOptionValues };

/**
 * Adds --cpu, --tid, --sort, --top and --all to `cmd`; --help names the
 * `table` they act on and what --top ranks by without --sort (`ranked`).
 */
export function addVcpuOptions(cmd: Command, table = 'the per-vCPU table', ranked = 'blocktime', fleet = false): Command {
  const keys = fleet ? SORT_KEYS : VCPU_SORT_KEYS;
  return cmd
    .addOption(new Option('--cpu <list>', `show only these vCPUs in ${table}: 0,3,8-15 (totals stay the whole VM's)`).argParser((v) => parseIdList('--cpu', v)))
    .addOption(new Option('--tid <list>', `show only the vCPUs of these thread ids: 4242,4250-4253 (with --cpu: vCPUs both name)`).argParser((v) => parseIdList('--tid', v)))
    .addOption(
      new Option(
        '--sort <key>',
        'order the vCPUs by blocktime, faults or latency (largest first; latency: mean wait per fault), or by cpu' +
          (fleet ? `; with several traces, the traces by ${FLEET_SORT_KEYS.join(', ')} (default total, worst first)` : ''),
      )
        .choices(keys)
        .argParser((v) => parseSortKey(v, keys)),
    )
    .addOption(new Option('--top <n>', `show the first N vCPUs of that order (without --sort: by ${ranked}); the rest are summed in one row`).argParser((v) => parseCount('--top', v, 1)))
    .option('--all', 'list every vCPU (a terminal table of more than 32 vCPUs is otherwise cut to 16 rows)');
}

const MAX_ID = 2 ** 32 - 1;

/**
 * `0,3,8-15` -> [0, 3, 8, 9, ..., 15]: comma-separated whole numbers and
 * inclusive ranges, ascending and without duplicates once read. A range may
 * hold at most 2^20 values (a typo like `1-4000000000` is refused, not
 * expanded).
 */
export function parseIdList(flag: string, text: string): number[] {
  const expected = 'a list like 0,3,8-15 (whole numbers and ranges separated by commas)';
  const fail = (why: string): never => {
    throw new UsageError(`${flag}: invalid list '${text}': ${why}; expected ${expected}`);
  };
  const ids = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
    if (!m) fail(item.trim() === '' ? 'an empty item' : `'${item.trim()}' is not a number or a range`);
    const lo = Number(m![1]);
    const hi = m![2] === undefined ? lo : Number(m![2]);
    if (lo > MAX_ID || hi > MAX_ID) fail(`${Math.max(lo, hi)} is beyond 2^32 - 1`);
    if (hi < lo) fail(`the range ${lo}-${hi} runs backwards`);
    if (hi - lo >= 2 ** 20) fail(`the range ${lo}-${hi} holds more than 2^20 values`);
    for (let k = lo; k <= hi; k++) ids.add(k);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * One of `keys` (a UsageError, one line, otherwise). With a fleet's keys
 * among them, which kind applies is the command's to check once it knows
 * whether it runs on several traces (fleet-options.ts).
 */
export function parseSortKey(text: string, keys: readonly string[] = VCPU_SORT_KEYS): VcpuSortKey {
  const key = keys.find((k) => k === text);
  if (!key) throw new UsageError(`--sort: invalid value '${text}': expected one of ${keys.join(', ')}`);
  return key as VcpuSortKey;
}
