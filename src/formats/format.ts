/**
 * What one trace format tells the registry (registry.ts): its name, the
 * name endings and first bytes that announce it, how to read it and, where
 * there is one, how to write it. Readers and writers are loaded only when a
 * file of the format is opened: `blocktime --help` loads none of them.
 */
import type { LogScan } from '../import/qemu-log/scan.js';
import type { BatchPair, MappingStats } from '../import/qemu-log/mapping.js';
import type { TraceInput } from '../trace/byte-input.js';
import type { TraceEncoder } from '../trace/encoder.js';
import type { FormatReader } from '../trace/reader.js';
import type { TraceMeta } from '../trace/schema.js';
import type { TraceValidator } from '../trace/validate.js';

/** How a reader reads, besides its bytes. */
export interface ReadOptions {
  /** Rows per batch for readers that build batches themselves (text formats, importers). */
  batchRows?: number;
  /**
   * Bytes per page and the VM's vCPU count as the user gave them. openTrace
   * applies them to the metadata, for every format; an importer also reads
   * them to make its rows (a QEMU log's pages, its vCPU table).
   */
  pageSize?: number;
  vcpus?: number;
  /** QEMU logs: the QEMU that wrote the log (`7.2`, `10.1`), when its events do not tell. */
  qemuVersion?: string;
  /** QEMU logs: count malformed lines of known events instead of stopping at the first. */
  lenient?: boolean;
  /** Legal but noteworthy things (a truncated Arrow stream): the CLI prints them on stderr. */
  onWarning?: (message: string) => void;
  /** Bytes of the input read so far, and its size (0 for a pipe). */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

/** What a QEMU log tells beyond its rows: what the importer learnt, and QEMU's own accounting lines. */
export interface QemuLogReading {
  /** The first pass over the log: generation (the design QEMU ran), prefix form, vCPUs, clock. */
  readonly scan: LogScan;
  /** What the mapping rules did; complete once a pass has ended. */
  readonly stats: MappingStats;
  /** The rows with QEMU's accounting lines beside them, each batch checked by `validator`: instead of `batches`, one pass. */
  pairs(validator: TraceValidator): AsyncIterable<BatchPair>;
}

/** A format's reader, opened; a QEMU log's also as what it tells beyond its rows. */
export interface OpenedFormat {
  reader: FormatReader;
  qemu?: QemuLogReading;
}

export interface FormatEntry {
  /** What `--input-format` and `--output-format` take. */
  readonly name: string;
  /** The format in messages: "Arrow IPC file". */
  readonly title: string;
  /** Lower-case name endings that announce it, before any compression ending. */
  readonly extensions: readonly string[];
  /** Whether the first bytes (at least 8, fewer only in a shorter input) are its magic. */
  magic?(head: Uint8Array): boolean;
  /** Whether the first lines of text (trimmed, blank lines dropped, comments kept) are the format's. */
  sniff?(lines: readonly string[]): boolean;
  /** Absent for formats we only write. */
  open?(input: TraceInput, opts: ReadOptions): Promise<OpenedFormat>;
  /** Absent for formats we only read. */
  createEncoder?(meta: TraceMeta): Promise<TraceEncoder>;
  /** Where to turn instead when it cannot be written. */
  writeInstead?: string;
}
