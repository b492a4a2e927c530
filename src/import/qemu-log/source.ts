/**
 * A QEMU trace log read as a trace (docs/qemu-logs.md): the format registry
 * opens format `qemu-log` here (src/formats/qemu-log.ts). Two streaming
 * passes over the file (decompressed on the fly when compressed): `scanLog`
 * learns what only the whole log can tell (generation, prefix form, vCPUs,
 * QEMU's blocktime start, the 10.1 clock offset), then `LogMapper` emits the
 * rows with bounded look-ahead.
 */
import { basename } from 'node:path';
import { UsageError } from '../../errors.js';
import type { TraceBatch } from '../../trace/batch.js';
import type { TraceInput } from '../../trace/byte-input.js';
import type { FormatReader } from '../../trace/reader.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_PAGE_SIZE, isPowerOfTwo, type TraceMeta } from '../../trace/schema.js';
import type { TraceValidator } from '../../trace/validate.js';
import { EVENT_NAMES, Ev, MALFORMED, NOT_OURS, newFields, parseEvent, type EvCode } from './lines.js';
import { LogMapper, newMappingStats, type BatchPair, type MappingStats } from './mapping.js';
import { nsBigInt, offsetNs } from './ns.js';
import { newPrefix, readPrefix } from './prefix.js';
import { lineChunks } from './reader.js';
import { GENERATION_LABEL, scanLog, type Generation, type LogScan } from './scan.js';

export interface QemuLogOptions {
  /** Bytes per page (default 4096): faults and resolves are matched by page. */
  pageSize?: number;
  /** The VM's vCPU count, when the user knows it (QEMU <= 10.0 logs name only the vCPUs that faulted). */
  vcpus?: number;
  batchRows?: number;
  /** `--qemu-version`: which QEMU wrote the log, overriding detection (e.g. `7.2`, `10.1`). */
  qemuVersion?: string;
  /** Count malformed lines of known events instead of failing on the first. */
  lenient?: boolean;
  onWarning?: (message: string) => void;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

export interface QemuLogReader extends FormatReader {
  readonly scan: LogScan;
  /** The rows with QEMU's accounting lines beside them, each batch checked by `validator` (one pass, like `batches()`). */
  pairs(validator: TraceValidator): AsyncIterable<BatchPair>;
  /** What the mapping rules did; complete once a pass has ended. */
  readonly stats: MappingStats;
}

/** `10.0` and older wrote the atomic design's lines; `10.1` and newer the mutex design's. */
export function generationOfVersion(version: string): Generation {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.\d+)*$/.exec(version.trim());
  if (!m) throw new UsageError(`--qemu-version: expected a QEMU version like 7.2 or 10.1, got "${version}"`);
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return major > 10 || (major === 10 && minor >= 1) ? 'mutex' : 'atomic';
}

export async function openQemuLog(input: TraceInput, opts: QemuLogOptions = {}): Promise<QemuLogReader> {
  const path = input.name;
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!isPowerOfTwo(pageSize) || pageSize > 2 ** 32) throw new UsageError(`page size must be a power of two up to 2^32, got ${pageSize}`);
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  const progress = opts.onProgress;
  const scan = await scanLog(input, {
    ...(opts.qemuVersion !== undefined ? { generation: generationOfVersion(opts.qemuVersion) } : {}),
    ...(opts.lenient ? { lenient: true } : {}),
    ...(progress ? { onProgress: (read: number, total: number) => progress(read, 2 * total) } : {}),
  });

  const meta: TraceMeta = { pageSize };
  let vcpusFrom: 'option' | 'log' | 'highest-cpu' | 'none' = 'none';
  // A loop, not Math.max(...keys): a log may name more vCPUs than a call takes arguments.
  let highest = -1;
  for (const cpu of scan.vcpuTids.keys()) highest = Math.max(highest, cpu);
  if (opts.vcpus !== undefined) {
    // Applied to the metadata where the trace is opened (src/formats/open.ts), as for every format; said here only to be recorded.
    vcpusFrom = 'option';
  } else if (scan.generation === 'mutex' && scan.vcpuTids.size > 0) {
    meta.vcpus = scan.vcpuTids.size;
    vcpusFrom = 'log';
  } else if (highest >= 0) {
    meta.vcpus = highest + 1;
    vcpusFrom = 'highest-cpu';
    opts.onWarning?.(
      `${path}: QEMU <= 10.0 logs name only the vCPUs that faulted; taking N = ${highest + 1} (highest cpu seen + 1): pass --vcpus N if the VM had more`,
    );
  }
  if (scan.startMs !== undefined) meta.startNs = nsBigInt(scan.prefixBaseSec, scan.startMs * 1e6);

  const events: Record<string, number> = {};
  EVENT_NAMES.forEach((name, code) => {
    if (scan.counts[code]! > 0) events[name] = scan.counts[code]!;
  });
  meta.source = {
    kind: 'qemu-log',
    file: basename(path),
    qemu: GENERATION_LABEL[scan.generation],
    design: scan.generation,
    detected_from: scan.generationFrom === 'option' ? '--qemu-version' : scan.generationFrom,
    ...(opts.qemuVersion !== undefined ? { qemu_version: opts.qemuVersion } : {}),
    prefix: scan.prefix,
    lines: scan.lines,
    events,
    skipped: { not_events: scan.notEvents, other_generation: scan.otherGeneration, malformed: scan.malformed },
    vcpus_from: vcpusFrom,
    ...(scan.clock !== undefined
      ? { qemu_clock: { phase_ns: scan.clock.phaseNs, uncertainty_ns: scan.clock.uncertaintyNs, begin_lines: scan.clock.lines } }
      : {}),
    ...(scan.timeOffset !== undefined ? { prefix_minus_time_ns: String(nsBigInt(scan.prefixBaseSec - scan.timeBaseSec, scan.timeOffset)) } : {}),
  };

  let mapper: LogMapper | undefined;
  let used = false;
  const pairs = async function* (validator: TraceValidator): AsyncGenerator<BatchPair> {
    if (used) throw new Error(`${path}: a QEMU log source is read once; open it again`);
    used = true;
    const m = new LogMapper(scan, batchRows, pageSize);
    mapper = m;
    const prefix = newPrefix();
    const f = newFields();
    const timed = scan.generation === 'mutex';
    const phase = scan.clock?.phaseNs ?? 0;
    let lineNo = 0;
    const onProgress = progress ? (read: number, total: number) => progress(total + read, 2 * total) : undefined;
    for await (const chunk of lineChunks(input, onProgress)) {
      for (const line of chunk) {
        lineNo++;
        readPrefix(line, prefix);
        const code = parseEvent(line, prefix.rest, f);
        // Pass 1 has already failed on, or counted, malformed lines and foreign prefixes.
        if (code === NOT_OURS || code === MALFORMED || prefix.form !== scan.prefix) continue;
        // <= 10.0: on QEMU's clock (its sub-millisecond phase against the prefixes taken out).
        const pRel = scan.prefix === 'none' ? 0 : offsetNs(prefix.sec, prefix.frac, scan.prefixBaseSec) - phase;
        const tRel = timed && (code === Ev.btBegin || code === Ev.btEnd) ? offsetNs(f.time.sec, f.time.frac, scan.timeBaseSec) : 0;
        m.line(code as EvCode, f, pRel, tRel, lineNo);
      }
      while (m.ready.length > 0) yield checked(m.ready.shift()!, validator);
    }
    m.finish();
    while (m.ready.length > 0) yield checked(m.ready.shift()!, validator);
  };
  const emptyStats = newMappingStats();

  return {
    meta,
    scan,
    get stats(): MappingStats {
      return mapper?.stats ?? emptyStats;
    },
    pairs,
    batches: async function* (validator: TraceValidator): AsyncGenerator<TraceBatch> {
      for await (const p of pairs(validator)) yield p.batch;
    },
    // Each pass opens and closes the input itself.
    close: async () => {},
  };
}

/** A batch checked as every reader's are, each row placed at its log line. */
function checked(pair: BatchPair, validator: TraceValidator): BatchPair {
  validator.check(pair.batch, (i) => pair.acct.line[i]!);
  return pair;
}
