/**
 * A hand-written pair of QEMU 7.2 logs of one postcopy migration (the line
 * forms of docs/latency.md), one fault of each category. Times are in
 * microseconds from a base second; the source's can be shifted to stand for
 * another host's clock, and either log written in QEMU 11's ISO prefix.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BASE_SEC = 1795664025;
/** Destination threads: fault thread, listen thread (main channel), preempt thread. */
const FAULT = 8616;
const LISTEN = 8617;
const PREEMPT = 8618;
/** Source threads: return path, migration thread. */
const RP = 9001;
const MIG = 9002;
const HVA = 0x7f0e00000000;

type Line = [tid: number, us: number, text: string];

const hva = (offset: number): string => `0x${(HVA + offset).toString(16)}`;
const request = (us: number, offset: number, pid: number): Line => [FAULT, us, `postcopy_ram_fault_thread_request Request for HVA=${hva(offset)} rb=pc.ram offset=0x${offset.toString(16)} pid=${pid}`];
const place = (tid: number, us: number, offset: number, chan: number): Line[] => [
  [tid, us - 5, `ram_load_postcopy_loop chan=${chan} addr=0x${offset.toString(16)} flags=0x8`],
  [tid, us, `postcopy_place_page host=${hva(offset)}`],
];

/**
 * Pages: A 0x1000 (vCPU 0 served on the main channel, then vCPU 1's
 * duplicate), B 0x2000 (sent by the background scan before vCPU 0's request
 * reached the queue), C 0x3000 (placed before vCPU 1 faulted: no request
 * sent), D 0x4000 (vCPU 1, served on the preempt channel), E 0x5000 (vCPU 0's
 * request never reached the source: unmatched).
 */
export const DST: Line[] = [
  [FAULT, 50, 'migrate_set_state new state active'],
  ...place(LISTEN, 600, 0x3000, 0),
  [FAULT, 960, 'migrate_set_state new state postcopy-active'],
  request(1000, 0x1000, 8556),
  [FAULT, 1002, 'get_mem_fault_cpu_index cpu: 0, pid: 8556'],
  [FAULT, 1010, 'migrate_send_rp_message 3: len 19'],
  request(1200, 0x1000, 8557),
  [FAULT, 1201, 'get_mem_fault_cpu_index cpu: 1, pid: 8557'],
  [FAULT, 1210, 'migrate_send_rp_message 4: len 12'],
  request(2000, 0x2000, 8556),
  [FAULT, 2001, 'get_mem_fault_cpu_index cpu: 0, pid: 8556'],
  [FAULT, 2010, 'migrate_send_rp_message 4: len 12'],
  ...place(LISTEN, 2050, 0x2000, 0),
  ...place(LISTEN, 3310, 0x1000, 0),
  request(4000, 0x3000, 8557),
  [FAULT, 4001, 'get_mem_fault_cpu_index cpu: 1, pid: 8557'],
  request(5000, 0x4000, 8557),
  [FAULT, 5001, 'get_mem_fault_cpu_index cpu: 1, pid: 8557'],
  [FAULT, 5010, 'migrate_send_rp_message 4: len 12'],
  ...place(PREEMPT, 5505, 0x4000, 1),
  request(6000, 0x5000, 8556),
  [FAULT, 6001, 'get_mem_fault_cpu_index cpu: 0, pid: 8556'],
  [FAULT, 6010, 'migrate_send_rp_message 4: len 12'],
  [LISTEN, 7100, 'migrate_set_state new state completed'],
];

export const SRC: Line[] = [
  [MIG, 100, 'migrate_set_state new state active'],
  [MIG, 500, 'ram_save_page pc.ram: offset: 0x2000 host: 0x7f5500002000'],
  [MIG, 900, 'postcopy_start '],
  [MIG, 901, 'savevm_send_postcopy_listen '],
  [MIG, 902, 'savevm_send_postcopy_run '],
  [MIG, 950, 'migrate_set_state new state postcopy-active'],
  [RP, 1100, 'migrate_handle_rp_req_pages in pc.ram at 0x1000 len 0x1000'],
  [RP, 1101, 'ram_save_queue_pages pc.ram: start: 0x1000 len: 0x1000'],
  [RP, 1300, 'migrate_handle_rp_req_pages in (null) at 0x1000 len 0x1000'],
  [RP, 1301, 'ram_save_queue_pages pc.ram: start: 0x1000 len: 0x1000'],
  [RP, 2100, 'migrate_handle_rp_req_pages in (null) at 0x2000 len 0x1000'],
  [RP, 2101, 'ram_save_queue_pages pc.ram: start: 0x2000 len: 0x1000'],
  [MIG, 3000, 'migrate_transferred transferred 3276800 time_spent 100 bandwidth 32768 max_size 3276800'],
  [MIG, 3100, 'get_queued_page pc.ram/0x1000 page_abs=0x1'],
  [MIG, 3105, 'ram_save_page pc.ram: offset: 0x1000 host: 0x7f5500001000'],
  [MIG, 3120, 'get_queued_page_not_dirty pc.ram/0x1000 page_abs=0x1'],
  [MIG, 3200, 'get_queued_page_not_dirty pc.ram/0x2000 page_abs=0x2'],
  [RP, 5100, 'migrate_handle_rp_req_pages in (null) at 0x4000 len 0x1000'],
  [RP, 5101, 'ram_save_queue_pages pc.ram: start: 0x4000 len: 0x1000'],
  [MIG, 5300, 'get_queued_page pc.ram/0x4000 page_abs=0x4'],
  [MIG, 5301, 'postcopy_preempt_switch_channel 1'],
  [MIG, 5302, 'postcopy_preempt_send_host_page ramblock pc.ram offset 0x4'],
  [MIG, 5303, 'ram_save_page pc.ram: offset: 0x4000 host: 0x7f5500004000'],
  [MIG, 5304, 'postcopy_preempt_switch_channel 0'],
  [MIG, 7000, 'migrate_set_state new state completed'],
];

export interface WriteOptions {
  /** Added to every time, in ns (another host's clock). */
  shiftNs?: bigint;
  /** QEMU 11's prefix: ISO-8601 UTC time, no thread id. */
  iso?: boolean;
  /** Drop the lines of these events. */
  without?: readonly string[];
}

export function render(lines: readonly Line[], opts: WriteOptions = {}): string {
  const out: string[] = [];
  for (const [tid, us, text] of lines) {
    if (opts.without?.includes(text.slice(0, text.indexOf(' ')))) continue;
    const ns = BigInt(BASE_SEC) * 1_000_000_000n + BigInt(us) * 1000n + (opts.shiftNs ?? 0n);
    const sec = ns / 1_000_000_000n;
    const frac = ns % 1_000_000_000n;
    if (opts.iso) {
      const day = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
      out.push(`${day}.${frac.toString().padStart(9, '0')}Z ${text}`);
    } else out.push(`${tid}@${sec}.${(frac / 1000n).toString().padStart(6, '0')}:${text}`);
  }
  return out.join('\n') + '\n';
}

export function writeLogs(dir: string, name: string, opts: { dst?: WriteOptions; src?: WriteOptions } = {}): { dst: string; src: string } {
  const dst = join(dir, `${name}-dst.log`);
  const src = join(dir, `${name}-src.log`);
  writeFileSync(dst, render(DST, opts.dst));
  writeFileSync(src, render(SRC, opts.src));
  return { dst, src };
}
