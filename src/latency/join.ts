/**
 * Follows each destination fault across both logs (docs/latency.md#the-join):
 * fault -> REQ message (same fault thread, next in its order) -> the
 * source's receipt (same block and page, first in first out) -> its
 * dequeue -> the page's send -> the destination's placement. Each fault
 * ends in one category; what a missing event leaves unknown is said, not
 * guessed.
 */
import type { PathLog } from './path-log.js';

export type Category = 'served' | 'duplicate' | 'background' | 'no_request_sent' | 'unmatched';
export const CATEGORIES: readonly Category[] = ['served', 'duplicate', 'background', 'no_request_sent', 'unmatched'];
export type Channel = 'main' | 'preempt' | 'unknown';

/** One destination fault and the times of its steps (destination times on its clock, source times on the source's). */
export interface JoinedFault {
  /** The request line in the destination log. */
  line: number;
  /** The faulting thread (`pid` of the request line). */
  tid: number;
  /** Its vCPU, -1 for other threads or when the log does not say. */
  cpu: number;
  block: string;
  /** Page-aligned offset in `block`, and host address on the destination. */
  offset: bigint;
  host: bigint;
  category: Category;
  /** For `unmatched`: the first step not found. */
  missing?: 'receipt' | 'dequeue' | 'placement';
  tFault: bigint;
  tRp?: bigint;
  tRecv?: bigint;
  tDeq?: bigint;
  tSend?: bigint;
  tPlace?: bigint;
  /** The channel the page arrived on (any fault whose page was placed); `unknown` when neither log says. */
  channel: Channel;
}

/** What the logs allowed: each flag says whether the events that split a leg or a category were there. */
export interface JoinCoverage {
  source: boolean;
  /** `migrate_send_rp_message`: tells faults that sent no request. */
  requestMessages: boolean;
  /** `migrate_handle_rp_req_pages` (or `ram_save_queue_pages`): splits request transit from the rest. */
  receipts: boolean;
  /** `get_queued_page` / `_not_dirty`: splits queue wait from page transit, and served from duplicate and background. */
  dequeues: boolean;
  /** `ram_save_page` / `postcopy_preempt_send_host_page`: the tighter lower clock bound. */
  sends: boolean;
  /** `ram_load_postcopy_loop`, `postcopy_preempt_*`: the channel. */
  channels: boolean;
}

export interface JoinResult {
  faults: JoinedFault[];
  coverage: JoinCoverage;
  /** Source receipts that no destination request was paired with. */
  sourceRequestsUnpaired: number;
}

export interface JoinOptions {
  /** Target page size in bytes (QEMU's `TARGET_PAGE_SIZE`, 4096 on x86): pages are keyed by it. */
  pageSize: number;
}

/** REQ_PAGES_ID (3, the first request, with the block name) and REQ_PAGES (4). */
const REQ_TYPES = new Set([3, 4]);

export function joinLogs(dst: PathLog, src: PathLog | undefined, opts: JoinOptions): JoinResult {
  const mask = ~(BigInt(opts.pageSize) - 1n);
  const page = (a: bigint): bigint => a & mask;
  const key = (block: string, offset: bigint): string => `${block}\0${page(offset)}`;

  // Destination: faults, their REQ messages, placements, channels.
  const cpuOfPid = new Map<number, number>();
  const faults: JoinedFault[] = [];
  const awaitingRp = new Map<number, JoinedFault>();
  const placeOf = new Map<bigint, { t: bigint; line: number; chan: number | undefined }[]>();
  const loopChanOfTid = new Map<number, number>();
  const loopChanOfOffset = new Map<bigint, number>();
  const baseOfBlock = new Map<string, bigint>();
  for (const e of dst.events) {
    switch (e.ev) {
      case 'cpu_index':
        if (e.cpu >= 0) cpuOfPid.set(e.pid, e.cpu);
        break;
      case 'request': {
        const f: JoinedFault = { line: e.line, tid: e.pid, cpu: -1, block: e.block, offset: page(e.offset), host: page(e.host), category: 'unmatched', tFault: e.t, channel: 'unknown' };
        faults.push(f);
        awaitingRp.set(e.tid, f);
        baseOfBlock.set(e.block, page(e.host) - page(e.offset));
        break;
      }
      case 'rp_message': {
        const f = awaitingRp.get(e.tid);
        if (f !== undefined && REQ_TYPES.has(e.type)) {
          f.tRp = e.t;
          awaitingRp.delete(e.tid);
        }
        break;
      }
      case 'loop':
        loopChanOfTid.set(e.tid, e.chan);
        loopChanOfOffset.set(e.offset, e.chan);
        break;
      case 'place': {
        const h = page(e.host);
        let chan: number | undefined;
        if (dst.prefix === 'tid') chan = loopChanOfTid.get(e.tid);
        else {
          // No writer thread in the prefix: the channel of the last page header of this page's offset.
          const off = offsetOfHost(h, baseOfBlock);
          if (off !== undefined) chan = loopChanOfOffset.get(off);
        }
        const list = placeOf.get(h);
        const p = { t: e.t, line: e.line, chan };
        if (list) list.push(p);
        else placeOf.set(h, [p]);
        break;
      }
    }
  }
  for (const f of faults) f.cpu = cpuOfPid.get(f.tid) ?? -1;

  const dc = dst.counts;
  const sc = src?.counts ?? {};
  const coverage: JoinCoverage = {
    source: src !== undefined,
    requestMessages: (dc.rp_message ?? 0) > 0,
    receipts: (sc.rp_req_pages ?? 0) + (sc.queue_pages ?? 0) > 0,
    dequeues: (sc.dequeue ?? 0) > 0,
    sends: (sc.save_page ?? 0) + (sc.preempt_send ?? 0) > 0,
    channels: (dc.loop ?? 0) + (sc.preempt_send ?? 0) + (sc.switch_channel ?? 0) > 0,
  };

  for (const f of faults) {
    const places = placeOf.get(f.host);
    const p = places?.find((x) => x.line > f.line) ?? places?.[0];
    if (p !== undefined) {
      f.tPlace = p.t;
      if (p.chan !== undefined) f.channel = p.chan === 0 ? 'main' : 'preempt';
    }
  }

  let sourceRequestsUnpaired = 0;
  if (src === undefined || !coverage.receipts) {
    // Only the destination: what it says alone.
    for (const f of faults) {
      if (coverage.requestMessages && f.tRp === undefined) f.category = 'no_request_sent';
      else if (f.tPlace === undefined) {
        f.category = 'unmatched';
        f.missing = 'placement';
      } else f.category = 'served';
    }
    return { faults, coverage, sourceRequestsUnpaired };
  }

  const source = readSource(src, key, opts.pageSize);
  const requested = coverage.requestMessages ? faults.filter((f) => f.tRp !== undefined) : faults;
  for (const f of faults) if (coverage.requestMessages && f.tRp === undefined) f.category = 'no_request_sent';
  // Pair requests and receipts per page, first in first out.
  const receiptsByKey = new Map<string, Receipt[]>();
  for (const r of source.receipts) push(receiptsByKey, r.key, r);
  const servedBefore = new Set<string>();
  for (const f of requested) {
    const k = key(f.block, f.offset);
    const r = receiptsByKey.get(k)?.shift();
    if (r === undefined) {
      f.category = 'unmatched';
      f.missing = 'receipt';
      continue;
    }
    f.tRecv = r.t;
    if (coverage.dequeues) {
      const d = r.dequeue;
      if (d === undefined) {
        f.category = 'unmatched';
        f.missing = 'dequeue';
        continue;
      }
      f.tDeq = d.t;
      if (d.dirty) {
        f.category = 'served';
        if (d.send !== undefined) f.tSend = d.send.t;
        if (f.channel === 'unknown' && d.channel !== undefined) f.channel = d.channel;
      } else f.category = d.sentForRequest ? 'duplicate' : 'background';
    } else {
      // Without dequeues the first request of a page is taken as the one that made the source send it.
      f.category = servedBefore.has(k) ? 'duplicate' : 'served';
      servedBefore.add(k);
    }
    if (f.tPlace === undefined) {
      f.category = 'unmatched';
      f.missing = 'placement';
    }
  }
  for (const list of receiptsByKey.values()) sourceRequestsUnpaired += list.length;
  return { faults, coverage, sourceRequestsUnpaired };
}

interface Dequeue {
  key: string;
  t: bigint;
  line: number;
  tid: number;
  dirty: boolean;
  /** Not dirty, and an earlier dequeue of the page had sent it (a request did, not the background scan). */
  sentForRequest: boolean;
  send?: { t: bigint; line: number };
  channel?: Channel;
}

interface Receipt {
  t: bigint;
  key: string;
  dequeue?: Dequeue;
}

/** The source's receipts, each with the dequeue of its first page, and each dirty dequeue with its send. */
function readSource(src: PathLog, key: (block: string, offset: bigint) => string, pageSize: number): { receipts: Receipt[] } {
  const hasHandle = (src.counts.rp_req_pages ?? 0) > 0;
  const receipts: Receipt[] = [];
  /** Per page, the receipts' pages waiting for their dequeue, in order; `first` marks a receipt's own page. */
  const waiting = new Map<string, { receipt: Receipt; first: boolean }[]>();
  const sendsByKey = new Map<string, { t: bigint; line: number; preempt: boolean }[]>();
  const sentByRequest = new Set<string>();
  const dequeues: Dequeue[] = [];
  const channelOfTid = new Map<number, number>();
  const channelAtDequeue = new Map<Dequeue, number | undefined>();
  let lastBlock: string | undefined;
  let pendingNull: { t: bigint; offset: bigint; len: bigint; tid: number }[] = [];
  const addReceipt = (t: bigint, block: string, offset: bigint, len: bigint): void => {
    const r: Receipt = { t, key: key(block, offset) };
    receipts.push(r);
    const pages = len > 0n ? (len + BigInt(pageSize) - 1n) / BigInt(pageSize) : 1n;
    for (let i = 0n; i < pages; i++) push(waiting, key(block, offset + i * BigInt(pageSize)), { receipt: r, first: i === 0n });
  };
  for (const e of src.events) {
    switch (e.ev) {
      case 'rp_req_pages':
        if (e.block !== undefined) lastBlock = e.block;
        // REQ_PAGES names no block: the same as the last request's; before any, the queue line that follows says it.
        if (lastBlock !== undefined) addReceipt(e.t, lastBlock, e.offset, e.len);
        else pendingNull.push({ t: e.t, offset: e.offset, len: e.len, tid: e.tid });
        break;
      case 'queue_pages':
        if (!hasHandle) addReceipt(e.t, e.block, e.offset, e.len);
        else if (pendingNull.length > 0) {
          lastBlock = e.block;
          for (const p of pendingNull) addReceipt(p.t, e.block, p.offset, p.len);
          pendingNull = [];
        }
        break;
      case 'dequeue': {
        const k = key(e.block, e.offset);
        const d: Dequeue = { key: k, t: e.t, line: e.line, tid: e.tid, dirty: e.dirty, sentForRequest: !e.dirty && sentByRequest.has(k) };
        if (e.dirty) sentByRequest.add(k);
        dequeues.push(d);
        channelAtDequeue.set(d, channelOfTid.get(e.tid));
        const w = waiting.get(k)?.shift();
        if (w?.first) w.receipt.dequeue = d;
        break;
      }
      case 'save_page':
        push(sendsByKey, key(e.block, e.offset), { t: e.t, line: e.line, preempt: channelOfTid.get(e.tid) === 1 });
        break;
      case 'preempt_send':
        // QEMU 7.2 prints the page index here, not the offset.
        push(sendsByKey, key(e.block, e.page * BigInt(pageSize)), { t: e.t, line: e.line, preempt: true });
        break;
      case 'switch_channel':
        channelOfTid.set(e.tid, e.chan);
        break;
    }
  }
  for (const d of dequeues) {
    if (!d.dirty) continue;
    const s = sendsByKey.get(d.key)?.find((x) => x.line > d.line);
    if (s !== undefined) {
      d.send = { t: s.t, line: s.line };
      d.channel = s.preempt ? 'preempt' : (src.counts.preempt_send ?? 0) + (src.counts.switch_channel ?? 0) > 0 ? 'main' : undefined;
    } else {
      const c = channelAtDequeue.get(d);
      if (c !== undefined) d.channel = c === 1 ? 'preempt' : 'main';
    }
  }
  return { receipts };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** The offset of a destination host page in the block whose mapping starts nearest below it. */
function offsetOfHost(host: bigint, bases: Map<string, bigint>): bigint | undefined {
  let best: bigint | undefined;
  for (const base of bases.values()) if (base <= host && (best === undefined || base > best)) best = base;
  return best === undefined ? undefined : host - best;
}
