/**
 * The trace events that follow a page request across both QEMUs, and the
 * migration's phase events (docs/latency.md#events): QEMU 7.2's formats. The
 * blocktime events stay in lines.ts; these are read only by `latency` and
 * the phases, which hold a whole log's worth of them, so a parsed line is a
 * small object here (not the importer's reused record).
 */

/** One parsed line; `offset` and `host` are exact (BigInt), `block` is `undefined` for QEMU's `(null)`. */
export type PathEvent =
  | { ev: 'request'; host: bigint; block: string; offset: bigint; pid: number }
  | { ev: 'cpu_index'; cpu: number; pid: number }
  | { ev: 'rp_message'; type: number }
  | { ev: 'loop'; chan: number; offset: bigint }
  | { ev: 'place'; host: bigint; zero: boolean }
  | { ev: 'rp_req_pages'; block: string | undefined; offset: bigint; len: bigint }
  | { ev: 'queue_pages'; block: string; offset: bigint; len: bigint }
  | { ev: 'dequeue'; block: string; offset: bigint; dirty: boolean }
  | { ev: 'save_page'; block: string; offset: bigint }
  | { ev: 'preempt_send'; block: string; page: bigint }
  | { ev: 'switch_channel'; chan: number }
  | { ev: 'window'; transferred: bigint; timeSpent: bigint; bandwidth: bigint; maxSize: bigint }
  | { ev: 'state'; state: string }
  | { ev: 'marker'; name: string };

export type PathEventName = PathEvent['ev'];

const HEX = '0x([0-9a-fA-F]{1,16})';
const NAME = '(\\S+?)';

type Parser = (m: RegExpExecArray) => PathEvent;

/** Event name -> its argument pattern and how to read it. */
const PARSERS = new Map<string, [RegExp, Parser]>([
  [
    'postcopy_ram_fault_thread_request',
    [
      new RegExp(`^Request for HVA=${HEX} rb=(\\S+) offset=${HEX} pid=(\\d+)\\s*$`),
      (m) => ({ ev: 'request', host: hex(m[1]!), block: m[2]!, offset: hex(m[3]!), pid: Number(m[4]) }),
    ],
  ],
  ['get_mem_fault_cpu_index', [/^cpu: (-?\d+), pid: (\d+)\s*$/, (m) => ({ ev: 'cpu_index', cpu: Number(m[1]), pid: Number(m[2]) })]],
  ['postcopy_blocktime_tid_cpu_map', [/^cpu: (\d+), tid: (\d+)\s*$/, (m) => ({ ev: 'cpu_index', cpu: Number(m[1]), pid: Number(m[2]) })]],
  ['migrate_send_rp_message', [/^(\d+): len (\d+)\s*$/, (m) => ({ ev: 'rp_message', type: Number(m[1]) })]],
  ['ram_load_postcopy_loop', [new RegExp(`^chan=(\\d+) addr=${HEX} flags=0x[0-9a-fA-F]+\\s*$`), (m) => ({ ev: 'loop', chan: Number(m[1]), offset: hex(m[2]!) })]],
  ['postcopy_place_page', [new RegExp(`^host=${HEX}\\s*$`), (m) => ({ ev: 'place', host: hex(m[1]!), zero: false })]],
  ['postcopy_place_page_zero', [new RegExp(`^host=${HEX}\\s*$`), (m) => ({ ev: 'place', host: hex(m[1]!), zero: true })]],
  [
    'migrate_handle_rp_req_pages',
    [
      new RegExp(`^in ${NAME} at ${HEX} len ${HEX}\\s*$`),
      (m) => ({ ev: 'rp_req_pages', block: m[1] === '(null)' ? undefined : m[1]!, offset: hex(m[2]!), len: hex(m[3]!) }),
    ],
  ],
  ['ram_save_queue_pages', [new RegExp(`^${NAME}: start: ${HEX} len: ${HEX}\\s*$`), (m) => ({ ev: 'queue_pages', block: m[1]!, offset: hex(m[2]!), len: hex(m[3]!) })]],
  ['get_queued_page', [new RegExp(`^(\\S+)/${HEX} page_abs=${HEX}\\s*$`), (m) => ({ ev: 'dequeue', block: m[1]!, offset: hex(m[2]!), dirty: true })]],
  ['get_queued_page_not_dirty', [new RegExp(`^(\\S+)/${HEX} page_abs=${HEX}\\s*$`), (m) => ({ ev: 'dequeue', block: m[1]!, offset: hex(m[2]!), dirty: false })]],
  ['ram_save_page', [new RegExp(`^${NAME}: offset: ${HEX} host: \\S+\\s*$`), (m) => ({ ev: 'save_page', block: m[1]!, offset: hex(m[2]!) })]],
  ['postcopy_preempt_send_host_page', [new RegExp(`^ramblock (\\S+) offset ${HEX}\\s*$`), (m) => ({ ev: 'preempt_send', block: m[1]!, page: hex(m[2]!) })]],
  ['postcopy_preempt_switch_channel', [/^(\d+)\s*$/, (m) => ({ ev: 'switch_channel', chan: Number(m[1]) })]],
  [
    'migrate_transferred',
    [
      /^transferred (\d+) time_spent (\d+) bandwidth (\d+) max_size (-?\d+)\s*$/,
      (m) => ({ ev: 'window', transferred: BigInt(m[1]!), timeSpent: BigInt(m[2]!), bandwidth: BigInt(m[3]!), maxSize: BigInt(m[4]!) }),
    ],
  ],
  ['migrate_set_state', [/^new state (\S+)\s*$/, (m) => ({ ev: 'state', state: m[1]! })]],
]);

/** Phase markers: events whose name is the information (their arguments, if any, are not needed). */
const MARKER = /^(?:postcopy_start|postcopy_start_set_run|savevm_send_postcopy_\w+|loadvm_postcopy_handle_\w+|postcopy_pause\w*|postcopy_resume\w*)$/;

/** The kind of event a line of `name` is, whether or not its arguments parse. */
const KIND_OF: ReadonlyMap<string, PathEventName> = new Map<string, PathEventName>([
  ['postcopy_ram_fault_thread_request', 'request'],
  ['get_mem_fault_cpu_index', 'cpu_index'],
  ['postcopy_blocktime_tid_cpu_map', 'cpu_index'],
  ['migrate_send_rp_message', 'rp_message'],
  ['ram_load_postcopy_loop', 'loop'],
  ['postcopy_place_page', 'place'],
  ['postcopy_place_page_zero', 'place'],
  ['migrate_handle_rp_req_pages', 'rp_req_pages'],
  ['ram_save_queue_pages', 'queue_pages'],
  ['get_queued_page', 'dequeue'],
  ['get_queued_page_not_dirty', 'dequeue'],
  ['ram_save_page', 'save_page'],
  ['postcopy_preempt_send_host_page', 'preempt_send'],
  ['postcopy_preempt_switch_channel', 'switch_channel'],
  ['migrate_transferred', 'window'],
  ['migrate_set_state', 'state'],
]);

/** The kind of the event that starts at `start` in `line`, for a line whose arguments did not parse. */
export function pathEventKindAt(line: string, start: number): PathEventName | undefined {
  const end = line.indexOf(' ', start);
  return KIND_OF.get(line.slice(start, end < 0 ? line.length : end));
}

function hex(digits: string): bigint {
  return BigInt(`0x${digits}`);
}

/** What `parsePathEvent` expected of a known event's arguments, for its error message. */
const PATH_EVENT_FORMATS: Readonly<Record<string, string>> = {
  postcopy_ram_fault_thread_request: 'Request for HVA=0x... rb=NAME offset=0x... pid=N',
  get_mem_fault_cpu_index: 'cpu: N, pid: N',
  postcopy_blocktime_tid_cpu_map: 'cpu: N, tid: N',
  postcopy_place_page: 'host=0x...',
  postcopy_place_page_zero: 'host=0x...',
  postcopy_preempt_switch_channel: 'N',
  migrate_send_rp_message: 'TYPE: len N',
  ram_load_postcopy_loop: 'chan=N addr=0x... flags=0x...',
  migrate_handle_rp_req_pages: 'in NAME at 0x... len 0x...',
  ram_save_queue_pages: 'NAME: start: 0x... len: 0x...',
  get_queued_page: 'NAME/0x... page_abs=0x...',
  get_queued_page_not_dirty: 'NAME/0x... page_abs=0x...',
  ram_save_page: 'NAME: offset: 0x... host: 0x...',
  postcopy_preempt_send_host_page: 'ramblock NAME offset 0x...',
  migrate_transferred: 'transferred N time_spent N bandwidth N max_size N',
  migrate_set_state: 'new state NAME',
};

/**
 * Parses the event that starts at `start` in `line`: the event, `undefined`
 * for events this file does not read, or a string saying what a known
 * event's arguments should have looked like.
 */
export function parsePathEvent(line: string, start: number): PathEvent | string | undefined {
  let end = line.indexOf(' ', start);
  if (end < 0) end = line.length;
  const name = line.slice(start, end);
  const parser = PARSERS.get(name);
  if (parser === undefined) return MARKER.test(name) ? { ev: 'marker', name } : undefined;
  const m = parser[0].exec(line.slice(end + 1));
  if (m === null) return `expected ${name} "${PATH_EVENT_FORMATS[name]!}"`;
  return parser[1](m);
}
