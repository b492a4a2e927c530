/**
 * Every trace format blocktime reads or writes, in one list: the one place
 * where format names are written. Opening (open.ts), writing (write.ts),
 * converting and every command's format options read it. Each format says
 * how to know it, by name and by content, and how to read it; compression
 * and pipes are the same for all of them (input.ts, compression.ts).
 */
import { ARROW_FILE, ARROW_STREAM } from './arrow.js';
import { withoutCompressionExtension, codecOf } from './compression.js';
import { CSV } from './csv.js';
import type { FormatEntry } from './format.js';
import { NDJSON } from './ndjson.js';
import { PARQUET } from './parquet.js';
import { QEMU_LOG } from './qemu-log.js';

/** In sniffing order: formats with magic bytes before text, CSV and NDJSON before the looser look of a QEMU log. */
export const FORMATS = [ARROW_FILE, ARROW_STREAM, CSV, NDJSON, PARQUET, QEMU_LOG] as const;

export type TraceFormat = (typeof FORMATS)[number]['name'];
/** The formats we write. */
export type WritableFormat = Extract<(typeof FORMATS)[number], { createEncoder: unknown }>['name'];

export const FORMAT_NAMES: readonly TraceFormat[] = FORMATS.map((f) => f.name);
/** The formats we read. */
export const READABLE_FORMATS: readonly TraceFormat[] = FORMATS.flatMap((f) => ('open' in f ? [f.name] : []));
export const WRITABLE_FORMATS: readonly WritableFormat[] = FORMATS.flatMap((f) => ('createEncoder' in f ? [f.name] : []));

/** Bytes of text a sniffer looks at. */
export const SNIFF_BYTES = 4096;
/** Bytes the magic sniffers need. */
export const MAGIC_HEAD_BYTES = 8;

export function formatEntry(name: TraceFormat): FormatEntry {
  return FORMATS.find((f) => f.name === name)!;
}

/** The format a name stands for, in any case; undefined for none. */
export function formatNamed(name: string): TraceFormat | undefined {
  const lower = name.toLowerCase();
  return FORMAT_NAMES.find((f) => f === lower);
}

export function isWritable(format: TraceFormat): format is WritableFormat {
  return (WRITABLE_FORMATS as readonly string[]).includes(format);
}

/** The format a file name announces, a compression ending aside: `x.csv.gz` is CSV. */
export function formatFromPath(path: string): TraceFormat | undefined {
  const name = withoutCompressionExtension(path.toLowerCase());
  return FORMATS.find((f) => f.extensions.some((ext) => name.endsWith(ext)))?.name;
}

/** The format of these first bytes of a file, compressed or not; undefined when none claims them. */
export function sniffFormat(head: Uint8Array): TraceFormat | undefined {
  const codec = codecOf(head);
  return sniffContent(codec ? codec.decompressHead(head) : head);
}

/** The format of these first (decompressed) bytes: magic bytes first, then the first lines of text. */
export function sniffContent(head: Uint8Array): TraceFormat | undefined {
  for (const f of FORMATS) if ('magic' in f && f.magic(head)) return f.name;
  const lines = Buffer.from(head.buffer, head.byteOffset, head.byteLength)
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/^\uFEFF/, '').trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return undefined;
  for (const f of FORMATS) if ('sniff' in f && f.sniff(lines)) return f.name;
  return undefined;
}

/** The formats as messages list them: "Arrow IPC file, ... or QEMU trace log". */
export function formatTitles(formats: readonly TraceFormat[]): string {
  return orList(formats.map((f) => formatEntry(f).title));
}

/** The first name ending of each format, as messages list them: ".arrow, .arrows, .csv or .ndjson". */
export function formatExtensions(formats: readonly TraceFormat[]): string {
  return orList(formats.map((f) => formatEntry(f).extensions[0]!));
}

export function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

/**
 * Whether a file found in a directory is a trace to read: its name announces
 * a format we read, a compression ending aside (`x.csv.gz`, `x.log.zst`).
 * By name only: a directory walk opens no file it does not read, and a
 * README or a QMP reply beside the traces is not taken for one.
 */
export function recognizes(path: string): boolean {
  const format = formatFromPath(path);
  return format !== undefined && READABLE_FORMATS.includes(format);
}
