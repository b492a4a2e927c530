import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { isPowerOfTwo } from '../../trace/schema.js';
import type { OpenOptions, TraceFormat } from '../../trace/source.js';
import { VARIANTS, type VariantName } from '../../replay/result.js';
import { parseCount, parseSize } from '../../units.js';

/**
 * Options shared by the commands that read a trace (`analyze`, `compare`):
 * one spelling, one validation, one message per mistake. Parsers throw
 * `UsageError`, which main.ts prints as one line with exit code 2; numbers
 * and sizes are read by the same parsers as every other command's (src/units.ts).
 */

export const TRACE_FORMATS: readonly TraceFormat[] = ['arrow', 'arrows', 'csv', 'ndjson', 'parquet', 'qemu-log'];

export interface TraceOptionValues {
  vcpus?: number;
  pageSize?: number;
  format?: TraceFormat;
}

export function addTraceOptions(cmd: Command): Command {
  return cmd
    .option('--vcpus <n>', "the VM's vCPU count N (default: the trace's metadata, else highest declared cpu + 1)", parseVcpus)
    .option('--page-size <bytes>', 'page size, a power of two: 4096, 4k, 2M (default: the trace\'s, else 4096)', parsePageSize)
    .option('--format <format>', `input format instead of the extension's: ${TRACE_FORMATS.join(', ')}`, parseFormat);
}

export function openOptions(v: TraceOptionValues): OpenOptions {
  const o: OpenOptions = {};
  if (v.vcpus !== undefined) o.vcpus = v.vcpus;
  if (v.pageSize !== undefined) o.pageSize = v.pageSize;
  if (v.format !== undefined) o.format = v.format;
  return o;
}

export function parseVcpus(value: string): number {
  return parseCount('--vcpus', value, 1);
}

export function parsePositiveInt(flag: string, value: string): number {
  return parseCount(flag, value, 1);
}

export function parsePageSize(value: string): number {
  const bytes = parseSize('--page-size', value);
  if (!isPowerOfTwo(bytes)) throw new UsageError(`--page-size: invalid value '${value}': expected a power of two like 4096, 4k or 2M`);
  return bytes;
}

export function parseFormat(value: string): TraceFormat {
  const f = TRACE_FORMATS.find((x) => x === value.toLowerCase());
  if (!f) throw new UsageError(`--format: invalid value '${value}': expected one of ${TRACE_FORMATS.join(', ')}`);
  return f;
}

export function parseVariant(value: string): VariantName {
  const v = VARIANTS.find((x) => x === value.toLowerCase());
  if (!v) throw new UsageError(`--variant: invalid value '${value}': expected mutex, exact or atomic`);
  return v;
}
