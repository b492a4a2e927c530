/**
 * `openTrace`: any trace file to validated batches and its metadata, the
 * format chosen by the option, else the extension, else the first bytes.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { InputError, UsageError } from '../errors.js';
import type { TraceBatch } from './batch.js';
import { ARROW_MAGIC, openArrow, openArrowPipe } from './arrow-reader.js';
import { openCsv } from './csv-reader.js';
import { openNdjson } from './ndjson-reader.js';
import { formatFromPath } from './format.js';
import { statInput } from './input-file.js';
import type { FormatReader } from './reader.js';
import { isPowerOfTwo } from './schema.js';
import type { TraceMeta } from './schema.js';
import type { OpenOptions, TraceFormat, TraceSource } from './source.js';
import { TraceValidator } from './validate.js';

/** The QEMU log importer (helper "qemu"), loaded only when a QEMU log is opened. */
interface QemuLogModule {
  openQemuLog(path: string, opts: OpenOptions): Promise<TraceSource>;
}

const TRACE_FILE = 'a trace file';

/** Bytes looked at to tell a file's format when its name does not. */
const SNIFF_BYTES = 4096;

export async function openTrace(path: string, opts: OpenOptions = {}): Promise<TraceSource> {
  checkOptions(opts);
  if (path === '-' || !(await statInput(path, TRACE_FILE)).isFile()) return openPipe(path, opts);
  const format = opts.format ?? (await detectFormat(path));
  if (format === 'qemu-log') return openQemuLog(path, opts);
  if (format === 'parquet') {
    throw new UsageError(`${path}: Parquet input is not supported; convert it to Arrow (e.g. with DuckDB: COPY ... TO 'x.arrow')`);
  }
  return sourceOf(path, format, await openReader(path, format, opts), opts);
}

/** stdin (`-`), a FIFO or a device: read as it arrives, which only the Arrow stream format allows. */
async function openPipe(path: string, opts: OpenOptions): Promise<TraceSource> {
  const format = opts.format ?? (path === '-' ? 'arrows' : formatFromPath(path) ?? 'arrows');
  const name = path === '-' ? 'stdin' : path;
  if (format !== 'arrows' && format !== 'arrow') {
    throw new UsageError(`${name}: ${format} is read from regular files only; pipe an Arrow stream (.arrows), or give a file`);
  }
  const input = path === '-' ? process.stdin : createReadStream(path);
  const reader = await openArrowPipe(input, name, opts.onWarning ? { onWarning: opts.onWarning } : {});
  const close = async (): Promise<void> => {
    if (input !== process.stdin) input.destroy();
  };
  return sourceOf(name, 'arrows', { ...reader, close }, opts);
}

function sourceOf(path: string, format: TraceFormat, reader: FormatReader, opts: OpenOptions): TraceSource {
  const meta = applyOptions(reader.meta, opts);
  let started = false;
  return {
    path,
    format,
    meta,
    batches(): AsyncIterable<TraceBatch> {
      if (started) throw new Error(`${path}: a trace source is read once`);
      started = true;
      return closingWhenDone(reader.batches(new TraceValidator(path, meta.vcpus)), () => reader.close());
    },
    close: () => reader.close(),
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

async function openReader(path: string, format: Exclude<TraceFormat, 'qemu-log' | 'parquet'>, opts: OpenOptions): Promise<FormatReader> {
  const progress = opts.onProgress ? { onProgress: opts.onProgress } : {};
  const warning = opts.onWarning ? { onWarning: opts.onWarning } : {};
  switch (format) {
    case 'arrow':
      return openArrow(path, { ...progress, ...warning });
    case 'arrows':
      // Named as a stream: also read the stream inside an IPC file whose footer never came.
      return openArrow(path, { layout: 'stream', ...progress, ...warning });
    case 'csv':
      return openCsv(path, { batchRows: opts.batchRows, ...progress });
    case 'ndjson':
      return openNdjson(path, { batchRows: opts.batchRows, ...progress });
  }
}

function checkOptions(opts: OpenOptions): void {
  if (opts.pageSize !== undefined && !isPowerOfTwo(opts.pageSize)) {
    throw new UsageError(`page size ${opts.pageSize} is not a power of two`);
  }
  if (opts.vcpus !== undefined && !(Number.isSafeInteger(opts.vcpus) && opts.vcpus >= 1 && opts.vcpus <= 0x7fffffff)) {
    throw new UsageError(`vCPU count ${opts.vcpus} must be a positive integer`);
  }
  if (opts.batchRows !== undefined && !(Number.isSafeInteger(opts.batchRows) && opts.batchRows >= 1)) {
    throw new UsageError(`batch size ${opts.batchRows} must be a positive integer`);
  }
}

function applyOptions(meta: TraceMeta, opts: OpenOptions): TraceMeta {
  const out: TraceMeta = { ...meta };
  if (opts.pageSize !== undefined) out.pageSize = opts.pageSize;
  if (opts.vcpus !== undefined) out.vcpus = opts.vcpus;
  if (opts.startNs !== undefined) out.startNs = opts.startNs;
  return out;
}

async function openQemuLog(path: string, opts: OpenOptions): Promise<TraceSource> {
  // Loaded on demand: reading Arrow or CSV need not load the QEMU log importer.
  const mod: QemuLogModule = await import('../import/qemu-log/source.js');
  const source = await mod.openQemuLog(path, opts);
  const meta = applyOptions(source.meta, opts);
  return { path: source.path, format: source.format, meta, batches: () => source.batches(), close: () => source.close() };
}

/** By extension; a name that says nothing is settled by the first bytes. */
export async function detectFormat(path: string): Promise<TraceFormat> {
  await statInput(path, TRACE_FILE);
  const byName = formatFromPath(path);
  if (byName) return byName;
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const format = sniffFormat(head);
  if (!format) {
    throw new InputError(
      { file: path },
      head.length === 0
        ? 'empty file; expected a trace'
        : 'cannot tell the format from the name or the content; expected .arrow, .arrows, .csv, .ndjson or a QEMU trace log (or --format)',
    );
  }
  return format;
}

const QEMU_LINE = /^(?:\d+@\d+\.\d+:|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z )?[a-z][a-z0-9_]*(?: |$)/;
const QEMU_EVENT = /(?:^|[:Z ])(?:postcopy|mark_postcopy|get_mem_fault|migrat)/;

export function sniffFormat(head: Buffer): TraceFormat | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return sniffGzip(head);
  if (head.subarray(0, ARROW_MAGIC.length).toString('latin1') === ARROW_MAGIC) return 'arrow';
  // An IPC stream opens with the continuation marker (or, before Arrow 0.15, a small metadata length).
  if (head.length >= 4 && head.readInt32LE(0) === -1) return 'arrows';
  const lines = head
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/^\uFEFF/, '').trim())
    .filter((l) => l !== '');
  const first = lines.find((l) => !l.startsWith('#'));
  if (first === undefined) return undefined;
  if (/^t_ns\s*,/.test(first)) return 'csv';
  if (first.startsWith('{')) return 'ndjson';
  const sample = lines.slice(0, 20);
  if (sample.some((l) => QEMU_LINE.test(l) && QEMU_EVENT.test(l))) return 'qemu-log';
  return undefined;
}

/** A gzipped file is a QEMU log when its text looks like one (the only format we read compressed). */
function sniffGzip(head: Buffer): TraceFormat | undefined {
  let text: Buffer;
  try {
    text = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
  return sniffFormat(text) === 'qemu-log' ? 'qemu-log' : undefined;
}
