/**
 * `--since T` and `--until T`, shared by analyze, compare, report and query:
 * one spelling, one parser, one definition in --help (docs/blocktime.md#time-windows).
 * T is a duration after the trace's first row (`2.5s`, `300ms`, `1500us`,
 * `800ns`; src/units.ts reads it) or an absolute trace time in ns,
 * `@1795664136591056123`, read as an exact int64.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { type TraceWindow, type WindowInstant, describeInstant } from '../../replay/window.js';
import { parseDuration } from '../../units.js';

export interface WindowOptionValues {
  since?: WindowInstant;
  until?: WindowInstant;
}

/** What a window means, for each command's --help. */
export const WINDOW_HELP = `
Time windows (--since, --until; docs/blocktime.md#time-windows): T is a
duration after the trace's first row (2.5s, 300ms, 1500us, 800ns) or an
absolute trace time in ns (@1795664136591056123). The whole trace is
replayed; a window's figures are what each design's counters grew by between
the first row that reaches --since and the first that reaches --until, as two
reads of QEMU's counters would show. exact counts the waits open at an
instant up to it (a vCPU's blocked time inside the window); latencies and the
histogram count the faults resolved inside it.`;

const INT64_MAX = 2n ** 63n - 1n;

export function addWindowOptions(cmd: Command): Command {
  return cmd
    .option('--since <T>', 'figures from this instant: a duration after the first row (2.5s, 300ms) or @NS, an absolute trace time', (v: string) => parseWindowInstant('--since', v))
    .option('--until <T>', 'figures up to this instant (excluded), written as --since', (v: string) => parseWindowInstant('--until', v));
}

/** `2.5s` or `@1795664136591056123`; anything else is a UsageError naming the option. */
export function parseWindowInstant(option: string, text: string): WindowInstant {
  const t = text.trim();
  if (t.startsWith('@')) {
    if (!/^@-?\d+$/.test(t)) throw new UsageError(`${option}: invalid value '${text}': expected @ and a whole number of ns, like @1795664136591056123`);
    const ns = BigInt(t.slice(1));
    if (ns > INT64_MAX || ns < -INT64_MAX - 1n) throw new UsageError(`${option}: invalid value '${text}': expected a trace time that fits a signed 64-bit integer`);
    return { atNs: ns };
  }
  return { afterFirstNs: parseDuration(option, text) };
}

/** The window the options ask for, or undefined for the whole trace; refuses --since after --until when both are the same kind. */
export function windowOf(opts: WindowOptionValues): TraceWindow | undefined {
  const { since, until } = opts;
  if (since === undefined && until === undefined) return undefined;
  if (since !== undefined && until !== undefined && sameKindAfter(since, until)) {
    throw new UsageError(`--since ${describeInstant(since)} is after --until ${describeInstant(until)}: expected a window that does not end before it starts`);
  }
  return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
}

function sameKindAfter(a: WindowInstant, b: WindowInstant): boolean {
  if ('atNs' in a && 'atNs' in b) return a.atNs > b.atNs;
  if ('afterFirstNs' in a && 'afterFirstNs' in b) return a.afterFirstNs > b.afterFirstNs;
  return false;
}
