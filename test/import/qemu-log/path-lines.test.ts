import { describe, expect, it } from 'vitest';
import { parsePathEvent } from '../../../src/import/qemu-log/path-lines.js';

const at = (s: string) => parsePathEvent(s, 0);

describe('parsePathEvent: the request path and phase events of QEMU 7.2', () => {
  it('reads each event of the chain', () => {
    expect(at('postcopy_ram_fault_thread_request Request for HVA=0x7f0e17cd3000 rb=pc.ram offset=0x7fed3000 pid=8556')).toEqual({
      ev: 'request',
      host: 0x7f0e17cd3000n,
      block: 'pc.ram',
      offset: 0x7fed3000n,
      pid: 8556,
    });
    expect(at('migrate_send_rp_message 4: len 12')).toEqual({ ev: 'rp_message', type: 4 });
    expect(at('migrate_handle_rp_req_pages in (null) at 0x7fed3000 len 0x1000')).toEqual({ ev: 'rp_req_pages', block: undefined, offset: 0x7fed3000n, len: 0x1000n });
    expect(at('migrate_handle_rp_req_pages in pc.ram at 0x0 len 0x1000')).toMatchObject({ block: 'pc.ram' });
    expect(at('ram_save_queue_pages pc.ram: start: 0x7fed3000 len: 0x1000')).toEqual({ ev: 'queue_pages', block: 'pc.ram', offset: 0x7fed3000n, len: 0x1000n });
    expect(at('get_queued_page pc.ram/0x7fed3000 page_abs=0x7fed3')).toEqual({ ev: 'dequeue', block: 'pc.ram', offset: 0x7fed3000n, dirty: true });
    expect(at('get_queued_page_not_dirty pc.ram/0x7fed3000 page_abs=0x7fed3')).toMatchObject({ dirty: false });
    expect(at('ram_save_page pc.ram: offset: 0x7fed3000 host: 0x7f5c1fed3000')).toEqual({ ev: 'save_page', block: 'pc.ram', offset: 0x7fed3000n });
    expect(at('postcopy_preempt_send_host_page ramblock pc.ram offset 0x7fed3')).toEqual({ ev: 'preempt_send', block: 'pc.ram', page: 0x7fed3n });
    expect(at('postcopy_preempt_switch_channel 1')).toEqual({ ev: 'switch_channel', chan: 1 });
    expect(at('migrate_transferred transferred 3276800 time_spent 100 bandwidth 32768 max_size 3276800')).toMatchObject({ ev: 'window', transferred: 3276800n });
    expect(at('ram_load_postcopy_loop chan=1 addr=0x7fed3000 flags=0x8')).toEqual({ ev: 'loop', chan: 1, offset: 0x7fed3000n });
    expect(at('postcopy_place_page_zero host=0x7f0e17cd3000')).toEqual({ ev: 'place', host: 0x7f0e17cd3000n, zero: true });
    expect(at('postcopy_blocktime_tid_cpu_map cpu: 0, tid: 31343')).toEqual({ ev: 'cpu_index', cpu: 0, pid: 31343 });
  });

  it('reads phases: states and the postcopy commands as markers', () => {
    expect(at('migrate_set_state new state postcopy-active')).toEqual({ ev: 'state', state: 'postcopy-active' });
    expect(at('postcopy_start ')).toEqual({ ev: 'marker', name: 'postcopy_start' });
    expect(at('savevm_send_postcopy_run')).toEqual({ ev: 'marker', name: 'savevm_send_postcopy_run' });
  });

  it('other events are not its; a known event with other arguments says what was expected', () => {
    expect(at('mark_postcopy_blocktime_end addr: 0x1, dd: 0x2, time: 0, affected_cpu: 1')).toBeUndefined();
    expect(at('get_queued_page pc.ram 0x1000')).toBe('expected get_queued_page "NAME/0x... page_abs=0x..."');
  });
});
