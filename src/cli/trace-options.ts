import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { isPowerOfTwo } from '../trace/schema.js';
import type { OpenOptions, TraceFormat } from '../trace/source.js';
import { VARIANTS, type VariantName } from '../replay/result.js';

/**
 * Options shared by the commands that read a trace (`analyze`, `compare`):
 * one spelling, one validation, one message per mistake. Parsers throw
 * `UsageError`, which main.ts prints as one line with exit code 2.
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
  return parsePositiveInt('--vcpus', value);
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got '${value}'`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

export function parsePageSize(value: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!isPowerOfTwo(n)) throw new UsageError(`--page-size: expected a power of two in bytes (4096, 4k, 2M), got '${value}'`);
  return n;
}

export function parseFormat(value: string): TraceFormat {
  const f = TRACE_FORMATS.find((x) => x === value.toLowerCase());
  if (!f) throw new UsageError(`--format: expected one of ${TRACE_FORMATS.join(', ')}, got '${value}'`);
  return f;
}

export function parseVariant(value: string): VariantName {
  const v = VARIANTS.find((x) => x === value.toLowerCase());
  if (!v) throw new UsageError(`--variant: expected one of mutex, exact, atomic, got '${value}'`);
  return v;
}
