/**
 * The `--expect` options of `blocktime analyze` (the check runs in
 * analyze-expect.ts, loaded only when --expect is given).
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { TraceFormat } from '../../formats/registry.js';

export interface ExpectOptionValues {
  expect?: string;
  tolerance?: number;
  /** `true` when given without a count. */
  explain?: number | true;
  qemuVersion?: string;
  lenient?: boolean;
  vcpus?: number;
  pageSize?: number;
  inputFormat?: TraceFormat;
  /** The older spelling of --input-format. */
  format?: TraceFormat;
  json?: boolean;
}

export function addExpectOptions(cmd: Command): Command {
  return cmd
    .option('--expect <result>', "check the replay against QEMU's own figures: the destination's query-migrate result (QMP JSON or HMP 'info migrate -a' text); exit 3 when they disagree")
    .option('--tolerance <x>', 'with --expect: accepted difference per figure, e.g. 1% or 0 (default: exact for QEMU >= 10.1, 1% for <= 10.0)', parseTolerance)
    .addOption(
      new Option('--explain [k]', "with --expect: name the first k events where the replay and QEMU's accounting lines disagree (default 10)").argParser((v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--explain: expected a positive integer, got '${v}'`);
        return n;
      }),
    )
    .option('--qemu-version <v>', 'QEMU logs: the QEMU that wrote the log (7.2, 10.1, ...) when its events do not tell')
    .option('--lenient', 'QEMU logs: count malformed lines of known events instead of stopping at the first')
    .hook('preAction', (command) => {
      const o = command.opts<ExpectOptionValues>();
      if (o.expect !== undefined) return;
      if (o.tolerance !== undefined || o.explain !== undefined) {
        throw new UsageError(`${o.tolerance !== undefined ? '--tolerance' : '--explain'} compares with QEMU's figures: give them with --expect RESULT`);
      }
      // Without --expect the log is opened by the trace reader, which takes no importer options: say so rather than ignore them.
      if (o.qemuVersion !== undefined || o.lenient) {
        throw new UsageError(`${o.qemuVersion !== undefined ? '--qemu-version' : '--lenient'} applies to analyze --expect; to analyze such a log otherwise, import it first: blocktime import qemu-log LOG -o trace.arrow ${o.qemuVersion !== undefined ? `--qemu-version ${o.qemuVersion}` : '--lenient'}`);
      }
    });
}

/** `--tolerance`: a percentage of each figure (`1%`, `0.5%`), or `0` / `exact` (the default per design is check/tolerance.ts). */
export function parseTolerance(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'exact' || v === '0' || v === '0%') return 0;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(v);
  if (!m) throw new UsageError(`--tolerance: expected a percentage of each figure (1%, 0.5%) or 0 / exact, got '${value}'`);
  return Number(m[1]) / 100;
}
