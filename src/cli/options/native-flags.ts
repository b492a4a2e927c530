/**
 * Command-line flags of `capture --native` and `lab`, parsed with the
 * project's unit parsers into the typed NativeOptions the capture takes.
 */
import type { Command } from 'commander';
import { NATIVE_DEFAULTS, NATIVE_PATTERNS, type NativeOptions, type NativePattern } from '../../capture/native/options.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_PAGE_SIZE } from '../../trace/schema.js';
import { parseCount, parseDuration, parseRate, parseSize } from '../../units.js';

/** Raw values as commander collects them: strings, or what another command's parser already made of them. */
export type FlagValues = Record<string, unknown>;

/** The flags only native capture has; `capture` shares the rest (--vcpus, --memory, ...) with the simulator. */
export function addNativeCaptureOptions(cmd: Command): Command {
  return cmd
    .option('--resolvers <n>', `native: resolve threads placing pages (default ${NATIVE_DEFAULTS.resolvers})`);
}

function value(flags: FlagValues, name: string): string | number | undefined {
  const v = flags[name];
  if (v === undefined || typeof v === 'string' || typeof v === 'number') return v;
  throw new UsageError(`--${name}: unexpected value ${String(v)}`);
}

/** A flag that may already be a number (parsed by a shared option) or still text. */
function numberFlag(flags: FlagValues, name: string, parse: (option: string, text: string) => number, fallback: number): number {
  const v = value(flags, name);
  if (v === undefined) return fallback;
  return typeof v === 'number' ? v : parse(`--${name}`, v);
}

export function parsePattern(text: string): NativePattern {
  if (!(NATIVE_PATTERNS as string[]).includes(text)) throw new UsageError(`--pattern: invalid value '${text}': expected ${NATIVE_PATTERNS.join(', ')}`);
  return text as NativePattern;
}

const count = (min: number) => (option: string, text: string) => parseCount(option, text, min);
const seconds = (option: string, text: string) => parseDuration(option, text, 's');

/** As the simulator reads it: a size (512M), or a bare number of 4 KiB pages. */
export function parseMemory(option: string, text: string): number {
  return /^\s*\d+\s*$/.test(text) ? parseCount(option, text, 1) * DEFAULT_PAGE_SIZE : parseSize(option, text);
}

/** `capture --native` options from its flags; anything not given takes NATIVE_DEFAULTS. */
export function nativeOptionsFromFlags(flags: FlagValues): NativeOptions {
  const pattern = value(flags, 'pattern');
  return {
    vcpus: numberFlag(flags, 'vcpus', count(1), NATIVE_DEFAULTS.vcpus),
    resolvers: numberFlag(flags, 'resolvers', count(1), NATIVE_DEFAULTS.resolvers),
    memoryBytes: numberFlag(flags, 'memory', parseMemory, NATIVE_DEFAULTS.memoryBytes),
    pattern: pattern === undefined ? NATIVE_DEFAULTS.pattern : parsePattern(String(pattern)),
    latencyNs: numberFlag(flags, 'latency', (o, t) => parseDuration(o, t), NATIVE_DEFAULTS.latencyNs),
    bandwidth: numberFlag(flags, 'bandwidth', parseRate, NATIVE_DEFAULTS.bandwidth),
    thinkNs: numberFlag(flags, 'think', (o, t) => parseDuration(o, t), NATIVE_DEFAULTS.thinkNs),
    durationNs: numberFlag(flags, 'duration', seconds, NATIVE_DEFAULTS.durationNs),
    seed: numberFlag(flags, 'seed', count(0), NATIVE_DEFAULTS.seed),
    accounting: 'both',
  };
}

/** `2,4,8` -> [2, 4, 8], each element parsed like the single flag. */
export function parseList(option: string, text: string, parse: (option: string, text: string) => number): number[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${option}: invalid list '${text}': expected values separated by commas`);
  return items.map((s) => parse(option, s));
}
