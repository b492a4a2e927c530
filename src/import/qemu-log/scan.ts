/**
 * First pass over a QEMU log: everything the rows depend on that only the
 * whole file can tell, so that the second pass can emit rows in order with
 * bounded look-ahead. Memory: the vCPU map and a few numbers.
 */
import { InputError } from '../../errors.js';
import { Ev, EVENT_NAMES, MALFORMED, NOT_OURS, generationOf, malformedWhat, newFields, parseEvent, type EvCode } from './lines.js';
import { MAX_REL_NS, offsetNs } from './ns.js';
import { newPrefix, readPrefix, type PrefixForm } from './prefix.js';
import type { TraceInput } from '../../trace/byte-input.js';
import { MAX_VCPUS } from '../../trace/schema.js';
import { lineChunks } from './reader.js';

/** Which of QEMU's two blocktime designs wrote the log. */
export type Generation = 'atomic' | 'mutex';

export const GENERATION_LABEL: Record<Generation, string> = { atomic: '<= 10.0', mutex: '>= 10.1' };

export interface ScanOptions {
  /** From `--qemu-version`: overrides detection. */
  generation?: Generation;
  lenient?: boolean;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

/**
 * Widest bounds on QEMU's clock phase that the importer applies. A real log's
 * thousands of begin lines pin the phase to a few microseconds; a log with a
 * handful of them leaves most of a millisecond open, and `min K` is then
 * only one end of that interval, no better than the whole millisecond.
 */
export const PHASE_PINNED_NS = 100_000;

export interface LogScan {
  path: string;
  generation: Generation;
  generationFrom: 'events' | 'option' | 'default';
  prefix: PrefixForm;
  lines: number;
  /** Lines per known event, by `Ev` code. */
  counts: number[];
  /** Lines that are not events we read (other trace events, warnings, monitor output). */
  notEvents: number;
  /** Known events of the other generation, ignored. */
  otherGeneration: number;
  /** Malformed lines of known events (only with `lenient`; otherwise the first one is an error). */
  malformed: number;
  firstMalformed?: { line: number; what: string };
  /** Whole second that every prefix time is relative to. */
  prefixBaseSec: number;
  /** Whole second that every >= 10.1 `time` field is relative to. */
  timeBaseSec: number;
  /** vCPUs: cpu index -> thread id (<= 10.0 from `get_mem_fault_cpu_index`, >= 10.1 from `postcopy_blocktime_tid_cpu_map`). */
  vcpuTids: Map<number, number>;
  /** <= 10.0: the blocktime start in ms, relative to `prefixBaseSec * 1000`, from the begin lines. */
  startMs?: number;
  /**
   * <= 10.0: QEMU's clock against the prefixes, from the begin lines with
   * `already_received: 0` and `time > 1`: each gives `K = prefix - time ms`,
   * and QEMU's millisecond 0 began between `max K - 1 ms` and `min K`.
   * `phaseNs`: the sub-millisecond part of `min K`, subtracted from every row
   * time, when the bounds pin it (`uncertaintyNs <= PHASE_PINNED_NS`), else 0;
   * `uncertaintyNs`: `min K - (max K - 1 ms)`, the width of the bounds
   * (negative when a begin line's prefix was taken more than a millisecond
   * after QEMU read its clock, and the bounds cross); `lines`: how many
   * begin lines gave them.
   */
  clock?: { phaseNs: number; uncertaintyNs: number; lines: number };
  /** >= 10.1: min over begin/end lines of (prefix - time), ns, both relative to their bases. */
  timeOffset?: number;
  /** Time (relative to the rows' clock base) for the `vcpu` rows. */
  vcpuRowTime: number;
}

function emptyCounts(): number[] {
  return EVENT_NAMES.map(() => 0);
}

export async function scanLog(input: TraceInput, opts: ScanOptions = {}): Promise<LogScan> {
  const path = input.name;
  const prefix = newPrefix();
  const f = newFields();
  const counts = emptyCounts();
  let form: PrefixForm | undefined;
  let lineNo = 0;
  let notEvents = 0;
  let malformed = 0;
  let firstMalformed: { line: number; what: string } | undefined;
  let prefixBaseSec = NaN;
  let timeBaseSec = NaN;
  // Both generations' vCPU maps: which one counts is known only at the end.
  const tidCpuAtomic = new Map<number, number>();
  const cpuTidAtomic = new Map<number, number>();
  const tidCpuMutex = new Map<number, number>();
  const cpuTidMutex = new Map<number, number>();
  let startMs = Infinity;
  let minK = Infinity;
  let maxK = -Infinity;
  let kLines = 0;
  let timeOffset = Infinity;
  let minRowPrefix = Infinity;
  let minTime = Infinity;
  let firstCpuMapPrefix = NaN;
  let lastRequestPid = 0;

  const bad = (what: string): void => {
    if (!opts.lenient) throw new InputError({ file: path, line: lineNo }, what);
    malformed++;
    firstMalformed ??= { line: lineNo, what };
  };
  const relTime = (sec: number, frac: number, baseSec: number): number => {
    const rel = offsetNs(sec, frac, baseSec);
    if (rel > MAX_REL_NS || rel < -MAX_REL_NS) {
      throw new InputError({ file: path, line: lineNo }, 'time more than 104 days away from the first time in the log');
    }
    return rel;
  };
  const mapVcpu = (tidCpu: Map<number, number>, cpuTid: Map<number, number>, cpu: number, tid: number): void => {
    if (cpu >= MAX_VCPUS) {
      bad(`vCPU ${cpu}; expected a cpu index below ${MAX_VCPUS}, the most vCPUs a trace may have`);
      return;
    }
    const had = tidCpu.get(tid);
    const hadTid = cpuTid.get(cpu);
    if ((had !== undefined && had !== cpu) || (hadTid !== undefined && hadTid !== tid)) {
      bad(`thread ${tid} as vCPU ${cpu} contradicts an earlier line (thread ${hadTid ?? tid} is vCPU ${had ?? cpu})`);
      return;
    }
    tidCpu.set(tid, cpu);
    cpuTid.set(cpu, tid);
  };

  for await (const chunk of lineChunks(input, opts.onProgress)) {
    for (const line of chunk) {
      lineNo++;
      readPrefix(line, prefix);
      const code = parseEvent(line, prefix.rest, f);
      if (code === NOT_OURS) {
        notEvents++;
        continue;
      }
      if (code === MALFORMED) {
        bad(malformedWhat);
        continue;
      }
      if (form === undefined) form = prefix.form;
      else if (prefix.form !== form) {
        bad(`expected ${describeForm(form)} like the log's first event line, found ${describeForm(prefix.form)}`);
        continue;
      }
      counts[code]!++;
      let pRel = NaN;
      if (form !== 'none') {
        if (Number.isNaN(prefixBaseSec)) prefixBaseSec = prefix.sec;
        pRel = relTime(prefix.sec, prefix.frac, prefixBaseSec);
      }
      switch (code as EvCode) {
        case Ev.cpuIndex:
          if (f.cpu >= 0) mapVcpu(tidCpuAtomic, cpuTidAtomic, f.cpu, f.pid);
          break;
        case Ev.cpuMap:
          if (Number.isNaN(firstCpuMapPrefix)) firstCpuMapPrefix = pRel;
          mapVcpu(tidCpuMutex, cpuTidMutex, f.cpu, f.pid);
          break;
        case Ev.request:
          lastRequestPid = f.pid;
          break;
        case Ev.markBegin:
          // The begin line follows its request line: its cpu names the request's thread (also when get_mem_fault_cpu_index was not enabled).
          if (f.cpu >= 0 && lastRequestPid !== 0) mapVcpu(tidCpuAtomic, cpuTidAtomic, f.cpu, lastRequestPid);
          // QEMU's clock started `time` ms before this line's millisecond (the prefix is taken later, so the smallest is closest).
          if (f.flag === 0 && form !== 'none') startMs = Math.min(startMs, Math.floor(pRel / 1e6) - f.ms);
          // `time: 1` may be a clamped 0: only later times bound the clock.
          if (f.flag === 0 && f.ms > 1 && form !== 'none') {
            const k = pRel - f.ms * 1e6;
            if (k < minK) minK = k;
            if (k > maxK) maxK = k;
            kLines++;
          }
          break;
        case Ev.btBegin:
        case Ev.btEnd: {
          if (Number.isNaN(timeBaseSec)) timeBaseSec = f.time.sec;
          const tRel = relTime(f.time.sec, f.time.frac, timeBaseSec);
          minTime = Math.min(minTime, tRel);
          if (form !== 'none') timeOffset = Math.min(timeOffset, pRel - tRel);
          break;
        }
        default:
      }
      if (code === Ev.request || code === Ev.markEnd || code === Ev.place || code === Ev.placeZero) {
        if (pRel < minRowPrefix) minRowPrefix = pRel;
      }
    }
  }

  if (form === undefined) {
    throw new InputError(
      { file: path },
      `no postcopy trace events in ${lineNo} lines: record on the destination with -trace 'postcopy_ram_fault_thread_request' -trace 'postcopy_place_page*' -trace 'mark_postcopy_blocktime_*' -trace 'get_mem_fault_cpu_index' -trace 'postcopy_blocktime_*'`,
    );
  }
  let atomicEvents = 0;
  let mutexEvents = 0;
  counts.forEach((n, code) => {
    const g = generationOf(code as EvCode);
    if (g === 'atomic') atomicEvents += n;
    else if (g === 'mutex') mutexEvents += n;
  });
  let generation: Generation;
  let generationFrom: LogScan['generationFrom'];
  if (opts.generation) {
    generation = opts.generation;
    generationFrom = 'option';
  } else if (atomicEvents > 0 && mutexEvents > 0) {
    throw new InputError(
      { file: path },
      `the log has blocktime events of both QEMU <= 10.0 (${atomicEvents} lines) and >= 10.1 (${mutexEvents} lines): say which QEMU wrote it with --qemu-version`,
    );
  } else if (mutexEvents > 0) {
    generation = 'mutex';
    generationFrom = 'events';
  } else {
    generation = 'atomic';
    generationFrom = atomicEvents > 0 ? 'events' : 'default';
  }
  const otherGeneration = generation === 'atomic' ? mutexEvents : atomicEvents;
  const hasTimes = generation === 'mutex' && counts[Ev.btBegin]! + counts[Ev.btEnd]! > 0;
  if (form === 'none' && !hasTimes) {
    throw new InputError(
      { file: path },
      'the log has no timestamps, and none of its events carries its own time: record it with -msg timestamp=on (and -D FILE)',
    );
  }

  const scan: LogScan = {
    path,
    generation,
    generationFrom,
    prefix: form,
    lines: lineNo,
    counts,
    notEvents,
    otherGeneration,
    malformed,
    prefixBaseSec: Number.isNaN(prefixBaseSec) ? 0 : prefixBaseSec,
    timeBaseSec: Number.isNaN(timeBaseSec) ? 0 : timeBaseSec,
    vcpuTids: generation === 'atomic' ? cpuTidAtomic : cpuTidMutex,
    vcpuRowTime: 0,
  };
  if (firstMalformed) scan.firstMalformed = firstMalformed;
  if (generation === 'atomic') {
    if (kLines > 0) {
      startMs = Math.floor(minK / 1e6);
      const uncertaintyNs = minK - maxK + 1e6;
      // Only bounds that pin the phase move the rows; wide ones (a short or hand-written log) leave the prefix clock as it was.
      const phaseNs = uncertaintyNs <= PHASE_PINNED_NS ? minK - startMs * 1e6 : 0;
      scan.clock = { phaseNs, uncertaintyNs, lines: kLines };
    }
    if (startMs !== Infinity) scan.startMs = startMs;
    scan.vcpuRowTime = startMs !== Infinity ? startMs * 1e6 : minRowPrefix !== Infinity ? minRowPrefix : 0;
  } else {
    if (timeOffset !== Infinity) scan.timeOffset = timeOffset;
    const mapTime = timeOffset !== Infinity && !Number.isNaN(firstCpuMapPrefix) ? firstCpuMapPrefix - timeOffset : Infinity;
    // Without begin/end lines the rows stay on the prefix clock.
    const fallback = timeOffset === Infinity && form !== 'none' ? Math.min(firstCpuMapPrefix, minRowPrefix) : Infinity;
    scan.vcpuRowTime = Math.min(mapTime, minTime, Number.isNaN(fallback) ? minRowPrefix : fallback);
    if (scan.vcpuRowTime === Infinity) scan.vcpuRowTime = 0;
  }
  return scan;
}

export function describeForm(form: PrefixForm): string {
  switch (form) {
    case 'tid':
      return 'a TID@SECONDS.MICROS: prefix';
    case 'iso':
      return 'an ISO-8601 time prefix';
    default:
      return 'no time prefix';
  }
}
