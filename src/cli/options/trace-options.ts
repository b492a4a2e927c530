import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { OpenOptions } from '../../formats/open.js';
import {
  FORMAT_NAMES,
  READABLE_FORMATS,
  WRITABLE_FORMATS,
  formatExtensions,
  formatNamed,
  formatTitles,
  isWritable,
  type TraceFormat,
  type WritableFormat,
} from '../../formats/registry.js';
import { MAX_VCPUS, isPowerOfTwo } from '../../trace/schema.js';
import { VARIANTS, type VariantName } from '../../replay/result.js';
import { parseCount, parseSize } from '../../units.js';

/**
 * Options shared by the commands that read or write a trace: one spelling,
 * one validation, one message per mistake. Every command names the format
 * it reads `--input-format` and the format of a trace file it writes
 * `--output-format`, choices from the format registry; `--format` is what a
 * command prints (query's table, csv or json), and where it once meant a
 * trace format it is still read as the older spelling, unlisted. Parsers
 * throw `UsageError`, which main.ts prints as one line with exit code 2;
 * numbers and sizes are read by the same parsers as every other command's
 * (src/units.ts).
 */

/** What a command's trace argument may be, for --help. */
export const TRACE_ARGUMENT = `trace: ${formatTitles(READABLE_FORMATS)}, plain, gzip or zstd; - reads stdin`;

/** What a command's output trace may be, for --help. */
export const OUTPUT_TRACE = `${formatExtensions(WRITABLE_FORMATS)} (or --output-format)`;

export interface TraceOptionValues {
  vcpus?: number;
  pageSize?: number;
  inputFormat?: TraceFormat;
  /** The older spelling of --input-format. */
  format?: TraceFormat;
}

export function addTraceOptions(cmd: Command): Command {
  return addInputFormatOption(
    cmd
      .option('--vcpus <n>', "the VM's vCPU count N (default: the trace's metadata, else highest declared cpu + 1)", parseVcpus)
      .option('--page-size <bytes>', 'page size, a power of two: 4096, 4k, 2M (default: the trace\'s, else 4096)', parsePageSize),
    '--format',
  );
}

/** `--input-format`, and `olderSpelling` (hidden) where the command once took the input format under that name. */
export function addInputFormatOption(cmd: Command, olderSpelling?: string): Command {
  // Choices for --help and shell completion; the parser keeps its own message (and takes any case).
  cmd.addOption(new Option('--input-format <format>', "the trace's format instead of its name's or content's").choices(FORMAT_NAMES).argParser((v: string) => parseInputFormat(v)));
  if (olderSpelling !== undefined) cmd.addOption(new Option(`${olderSpelling} <format>`).hideHelp().argParser((v: string) => parseInputFormat(v, olderSpelling)));
  return cmd;
}

/** `--output-format`, and `olderSpelling` (hidden) where the command once took the output format under that name. */
export function addOutputFormatOption(cmd: Command, olderSpelling?: string): Command {
  cmd.addOption(new Option('--output-format <format>', "the written trace's format instead of its name's").choices(WRITABLE_FORMATS).argParser((v: string) => parseOutputFormat(v)));
  if (olderSpelling !== undefined) cmd.addOption(new Option(`${olderSpelling} <format>`).hideHelp().argParser((v: string) => parseOutputFormat(v, olderSpelling)));
  return cmd;
}

/** The input format given under either spelling. */
export function inputFormatOf(v: { inputFormat?: TraceFormat; format?: TraceFormat }): TraceFormat | undefined {
  return oneOf('--input-format', v.inputFormat, '--format', v.format);
}

/** The output format given under either spelling (`olderSpelling`'s value is `older`). */
export function outputFormatOf(outputFormat: WritableFormat | undefined, olderSpelling: string, older: WritableFormat | undefined): WritableFormat | undefined {
  return oneOf('--output-format', outputFormat, olderSpelling, older);
}

function oneOf<T>(flag: string, value: T | undefined, olderFlag: string, older: T | undefined): T | undefined {
  if (value !== undefined && older !== undefined && value !== older) throw new UsageError(`${olderFlag} is the older spelling of ${flag}: give one of them`);
  return value ?? older;
}

export function openOptions(v: TraceOptionValues): OpenOptions {
  const o: OpenOptions = {};
  if (v.vcpus !== undefined) o.vcpus = v.vcpus;
  if (v.pageSize !== undefined) o.pageSize = v.pageSize;
  const format = inputFormatOf(v);
  if (format !== undefined) o.format = format;
  return o;
}

export function parseVcpus(value: string): number {
  const n = parseCount('--vcpus', value, 1);
  if (n > MAX_VCPUS) throw new UsageError(`--vcpus: invalid value '${value}': expected a vCPU count from 1 to ${MAX_VCPUS}`);
  return n;
}

export function parsePositiveInt(flag: string, value: string): number {
  return parseCount(flag, value, 1);
}

export function parsePageSize(value: string): number {
  const bytes = parseSize('--page-size', value);
  if (!isPowerOfTwo(bytes)) throw new UsageError(`--page-size: invalid value '${value}': expected a power of two like 4096, 4k or 2M`);
  return bytes;
}

export function parseInputFormat(value: string, flag = '--input-format'): TraceFormat {
  const f = formatNamed(value);
  if (!f) throw new UsageError(`${flag}: invalid value '${value}': expected one of ${FORMAT_NAMES.join(', ')}`);
  return f;
}

export function parseOutputFormat(value: string, flag = '--output-format'): WritableFormat {
  const f = formatNamed(value);
  if (!f || !isWritable(f)) throw new UsageError(`${flag}: invalid value '${value}': expected one of ${WRITABLE_FORMATS.join(', ')}`);
  return f;
}

export function parseVariant(value: string): VariantName {
  const v = VARIANTS.find((x) => x === value.toLowerCase());
  if (!v) throw new UsageError(`--variant: invalid value '${value}': expected mutex, exact or atomic`);
  return v;
}
