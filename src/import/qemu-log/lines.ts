/**
 * The trace events the importer understands, and their argument formats
 * (docs/qemu-logs.md). A line is parsed into one reused `EventFields` record:
 * no object per line.
 */
import { splitNsDigits, type SplitNs } from './ns.js';

export const Ev = {
  request: 0,
  cpuIndex: 1,
  markBegin: 2,
  markEnd: 3,
  cpuMap: 4,
  btBegin: 5,
  btEnd: 6,
  btEndOne: 7,
  place: 8,
  placeZero: 9,
} as const;
export type EvCode = (typeof Ev)[keyof typeof Ev];

/** Event names, indexed by code. */
export const EVENT_NAMES = [
  'postcopy_ram_fault_thread_request',
  'get_mem_fault_cpu_index',
  'mark_postcopy_blocktime_begin',
  'mark_postcopy_blocktime_end',
  'postcopy_blocktime_tid_cpu_map',
  'postcopy_blocktime_begin',
  'postcopy_blocktime_end',
  'postcopy_blocktime_end_one',
  'postcopy_place_page',
  'postcopy_place_page_zero',
] as const;

const BY_NAME = new Map<string, EvCode>(EVENT_NAMES.map((n, i) => [n, i as EvCode]));

/** The QEMU generation whose blocktime accounting an event belongs to; undefined for events of both. */
export function generationOf(code: EvCode): 'atomic' | 'mutex' | undefined {
  if (code === Ev.cpuIndex || code === Ev.markBegin || code === Ev.markEnd) return 'atomic';
  if (code === Ev.cpuMap || code === Ev.btBegin || code === Ev.btEnd || code === Ev.btEndOne) return 'mutex';
  return undefined;
}

/** One parsed line's arguments; which fields are meaningful depends on the event. */
export interface EventFields {
  /** `HVA`, `addr` or `host`, as two exact 32-bit halves. */
  addrLo: number;
  addrHi: number;
  /** `pid` (request, cpu index) or `tid` (cpu map). */
  pid: number;
  cpu: number;
  /** <= 10.0 `time` (ms offset, or running total in ms on end lines). */
  ms: number;
  /** >= 10.1 `time` in ns, split at the second. */
  time: SplitNs;
  /** `already_received`, `exist`, or `left_faults`. */
  flag: number;
  /** `affected_cpu` / `affected_cpus`. */
  affected: number;
  affectedNonCpus: number;
}

export function newFields(): EventFields {
  return { addrLo: 0, addrHi: 0, pid: 0, cpu: 0, ms: 0, time: { sec: 0, frac: 0 }, flag: 0, affected: 0, affectedNonCpus: 0 };
}

/** `parseEvent` result for lines that are not events we know (other trace events, warnings, monitor output). */
export const NOT_OURS = -1;
/** `parseEvent` result for a known event whose arguments do not parse: `malformedWhat` says what was expected. */
export const MALFORMED = -2;
export let malformedWhat = '';

const HEX = '0x([0-9a-fA-F]{1,16})';
const ARGS: RegExp[] = [
  new RegExp(`Request for HVA=${HEX} .*pid=(\\d+)\\s*$`, 'y'),
  /cpu: (-?\d+), pid: (\d+)\s*$/y,
  new RegExp(`addr: ${HEX}, dd: \\S+, time: (\\d+), cpu: (-?\\d+), already_received: ([01])\\s*$`, 'y'),
  new RegExp(`addr: ${HEX}, dd: \\S+, time: (\\d+), affected_cpu: (\\d+)\\s*$`, 'y'),
  /cpu: (\d+), tid: (\d+)\s*$/y,
  new RegExp(`addr: ${HEX}, time: (\\d{1,19}), cpu: (-?\\d+), exist: ([01])\\s*$`, 'y'),
  new RegExp(`addr: ${HEX}, time: (\\d{1,19}), affected_cpus: (\\d+), affected_non_cpus: (\\d+)\\s*$`, 'y'),
  /cpu: (-?\d+), left_faults: (\d+)\s*$/y,
  /.*?host=(?:0x([0-9a-fA-F]{1,16})|\(nil\))\s*$/y,
  /.*?host=(?:0x([0-9a-fA-F]{1,16})|\(nil\))\s*$/y,
];

const EXPECTED = [
  '"Request for HVA=0x... rb=... offset=0x... pid=N"',
  '"cpu: N, pid: N"',
  '"addr: 0x..., dd: 0x..., time: N, cpu: N, already_received: 0|1"',
  '"addr: 0x..., dd: 0x..., time: N, affected_cpu: N"',
  '"cpu: N, tid: N"',
  '"addr: 0x..., time: N, cpu: N, exist: 0|1"',
  '"addr: 0x..., time: N, affected_cpus: N, affected_non_cpus: N"',
  '"cpu: N, left_faults: N"',
  '"host=0x..."',
  '"host=0x..."',
];

function setAddr(hex: string | undefined, f: EventFields): void {
  if (hex === undefined) {
    f.addrLo = 0;
    f.addrHi = 0;
  } else if (hex.length <= 8) {
    f.addrLo = parseInt(hex, 16);
    f.addrHi = 0;
  } else {
    f.addrLo = parseInt(hex.slice(-8), 16);
    f.addrHi = parseInt(hex.slice(0, -8), 16);
  }
}

/** Above this a count or id is not what QEMU prints (uint32 / int). */
const U32_MAX = 4294967295;

/**
 * Recognizes the event that starts at `start` in `line` and parses its
 * arguments into `f`. Returns its code, `NOT_OURS`, or `MALFORMED`.
 */
export function parseEvent(line: string, start: number, f: EventFields): EvCode | typeof NOT_OURS | typeof MALFORMED {
  let end = line.indexOf(' ', start);
  if (end < 0) end = line.length;
  const code = BY_NAME.get(line.slice(start, end));
  if (code === undefined) return NOT_OURS;
  const re = ARGS[code]!;
  re.lastIndex = end + 1;
  const m = end < line.length ? re.exec(line) : null;
  if (m === null) return malformed(code);
  switch (code) {
    case Ev.request:
      setAddr(m[1], f);
      f.pid = Number(m[2]);
      break;
    case Ev.cpuIndex:
      f.cpu = Number(m[1]);
      f.pid = Number(m[2]);
      break;
    case Ev.markBegin:
      setAddr(m[1], f);
      f.ms = Number(m[2]);
      f.cpu = Number(m[3]);
      f.flag = Number(m[4]);
      break;
    case Ev.markEnd:
      setAddr(m[1], f);
      f.ms = Number(m[2]);
      f.affected = Number(m[3]);
      break;
    case Ev.cpuMap:
      f.cpu = Number(m[1]);
      f.pid = Number(m[2]);
      break;
    case Ev.btBegin:
      setAddr(m[1], f);
      splitNsDigits(m[2]!, f.time);
      f.cpu = Number(m[3]);
      f.flag = Number(m[4]);
      break;
    case Ev.btEnd:
      setAddr(m[1], f);
      splitNsDigits(m[2]!, f.time);
      f.affected = Number(m[3]);
      f.affectedNonCpus = Number(m[4]);
      break;
    case Ev.btEndOne:
      f.cpu = Number(m[1]);
      f.flag = Number(m[2]);
      break;
    default:
      setAddr(m[1], f);
  }
  // Values no QEMU prints (ids and counts are uint32, cpu indexes int >= -1).
  if (f.pid > U32_MAX || f.ms > U32_MAX || f.cpu > 0x7fffffff || f.cpu < -1 || f.affected > U32_MAX) {
    f.cpu = 0;
    f.pid = 0;
    f.ms = 0;
    f.affected = 0;
    return malformed(code);
  }
  return code;
}

function malformed(code: EvCode): typeof MALFORMED {
  malformedWhat = `expected ${EVENT_NAMES[code]} ${EXPECTED[code]}`;
  return MALFORMED;
}
