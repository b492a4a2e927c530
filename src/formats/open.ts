/**
 * `openTrace`: a trace in any format, from a file, a pipe or stdin, plain or
 * compressed, as validated batches and its metadata. The format is the
 * option's, else the name's, else the content's (registry.ts); every format
 * goes through the same validator, and the vCPU count, page size and start
 * the user gave are applied here, once, to the metadata that everything
 * downstream reads.
 */
import { InputError, UsageError } from '../errors.js';
import type { BatchPair } from '../import/qemu-log/mapping.js';
import type { TraceBatch } from '../trace/batch.js';
import { MAX_VCPUS, isPowerOfTwo, type TraceMeta } from '../trace/schema.js';
import type { TraceSource } from '../trace/source.js';
import { TraceValidator } from '../trace/validate.js';
import type { OpenedFormat, QemuLogReading, ReadOptions } from './format.js';
import { openInput, type OpenedInput } from './input.js';
import {
  MAGIC_HEAD_BYTES,
  READABLE_FORMATS,
  SNIFF_BYTES,
  formatEntry,
  formatFromPath,
  formatTitles,
  sniffContent,
  type TraceFormat,
} from './registry.js';

/** `pageSize`, `vcpus` (from ReadOptions) and `startNs` override the trace's metadata (for files written without it; a QEMU log has no page size). */
export interface OpenOptions extends ReadOptions {
  /** Overrides detection by name and content. */
  format?: TraceFormat;
  startNs?: bigint;
}

/** What a QEMU log tells beyond its rows (`OpenedTrace.qemu`). */
export interface QemuLogView {
  /** The first pass over the log: generation (the design QEMU ran), prefix form, vCPUs, clock. */
  readonly scan: QemuLogReading['scan'];
  /** What the mapping rules did; complete once a pass has ended. */
  readonly stats: QemuLogReading['stats'];
  /** The rows, validated, with QEMU's accounting lines beside them: instead of `batches()`, one pass. */
  pairs(): AsyncIterable<BatchPair>;
}

export interface OpenedTrace extends TraceSource {
  readonly format: TraceFormat;
  /** Present when the trace is a QEMU log. */
  readonly qemu?: QemuLogView;
}

/** A QEMU log, named as one: its `qemu` view is there. */
export function openTrace(path: string, opts: OpenOptions & { format: 'qemu-log' }): Promise<OpenedTrace & { readonly qemu: QemuLogView }>;
export function openTrace(path: string, opts?: OpenOptions): Promise<OpenedTrace>;
export async function openTrace(path: string, opts: OpenOptions = {}): Promise<OpenedTrace> {
  checkOptions(opts);
  const input = await openInput(path);
  try {
    const format = opts.format ?? (await detectFormat(input));
    const entry = formatEntry(format);
    if (!entry.open) throw new UsageError(`${input.name}: ${entry.title} input is not supported`);
    return sourceOf(input, format, await entry.open(input, opts), opts);
  } catch (err) {
    await input.close();
    throw err;
  }
}

/** By name; a name that says nothing is settled by the first bytes. */
async function detectFormat(input: OpenedInput): Promise<TraceFormat> {
  const byName = formatFromPath(input.name);
  if (byName) return byName;
  // Magic bytes first, from as few bytes as possible: a live pipe need not fill a sniffer's look first.
  const format = sniffContent(await input.peek(MAGIC_HEAD_BYTES)) ?? sniffContent(await input.peek(SNIFF_BYTES));
  if (format) return format;
  const empty = (await input.peek(1)).length === 0;
  throw new InputError(
    { file: input.name },
    empty
      ? 'empty file; expected a trace'
      : `cannot tell the format from the name or the content; expected ${formatTitles(READABLE_FORMATS)} (or --input-format)`,
  );
}

function sourceOf(input: OpenedInput, format: TraceFormat, opened: OpenedFormat, opts: OpenOptions): OpenedTrace {
  const { reader } = opened;
  const meta = applyOptions(reader.meta, opts);
  const validator = new TraceValidator(input.name, meta.vcpus);
  let started = false;
  const close = async (): Promise<void> => {
    try {
      await reader.close();
    } finally {
      await input.close();
    }
  };
  const start = (): void => {
    if (started) throw new Error(`${input.name}: a trace source is read once`);
    started = true;
  };
  const source: OpenedTrace = {
    path: input.name,
    format,
    meta,
    batches(): AsyncIterable<TraceBatch> {
      start();
      return closingWhenDone(reader.batches(validator), close);
    },
    close,
  };
  const qemu = opened.qemu;
  if (!qemu) return source;
  return {
    ...source,
    qemu: {
      scan: qemu.scan,
      get stats() {
        return qemu.stats;
      },
      pairs(): AsyncIterable<BatchPair> {
        start();
        return closingWhenDone(qemu.pairs(validator), close);
      },
    },
  };
}

/** The file is closed once its one pass ends, however it ends; close() stays safe to call. */
async function* closingWhenDone<T>(items: AsyncIterable<T>, close: () => Promise<void>): AsyncGenerator<T, void, undefined> {
  try {
    yield* items;
  } finally {
    await close();
  }
}

function checkOptions(opts: OpenOptions): void {
  if (opts.pageSize !== undefined && !isPowerOfTwo(opts.pageSize)) {
    throw new UsageError(`page size ${opts.pageSize} is not a power of two`);
  }
  if (opts.vcpus !== undefined && !(Number.isSafeInteger(opts.vcpus) && opts.vcpus >= 1 && opts.vcpus <= MAX_VCPUS)) {
    throw new UsageError(`vCPU count ${opts.vcpus}: expected a whole number from 1 to ${MAX_VCPUS}`);
  }
  if (opts.batchRows !== undefined && !(Number.isSafeInteger(opts.batchRows) && opts.batchRows >= 1)) {
    throw new UsageError(`batch size ${opts.batchRows} must be a positive integer`);
  }
}

/**
 * A source opened earlier, with the user's vCPU count, page size and start
 * applied as openTrace applies them (the library's functions take either a
 * path and options or a source and options).
 */
export function withOverrides<S extends TraceSource>(source: S, opts: OpenOptions): S {
  if (opts.pageSize === undefined && opts.vcpus === undefined && opts.startNs === undefined) return source;
  checkOptions(opts);
  const meta = applyOptions(source.meta, opts);
  return Object.create(source, { meta: { value: meta, enumerable: true } }) as S;
}

/** The one place where the user's vCPU count, page size and start override what the trace declares. */
function applyOptions(meta: TraceMeta, opts: OpenOptions): TraceMeta {
  const out: TraceMeta = { ...meta };
  if (opts.pageSize !== undefined) out.pageSize = opts.pageSize;
  if (opts.vcpus !== undefined) out.vcpus = opts.vcpus;
  if (opts.startNs !== undefined) out.startNs = opts.startNs;
  return out;
}
