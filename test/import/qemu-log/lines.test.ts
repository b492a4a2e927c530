import { describe, it, expect } from 'vitest';
import { Ev, MALFORMED, NOT_OURS, malformedWhat, newFields, parseEvent } from '../../../src/import/qemu-log/lines.js';

const f = newFields();
const parse = (line: string): number => parseEvent(line, 0, f);

describe('parseEvent', () => {
  it('reads the request line: 64-bit HVA as exact halves, pid', () => {
    expect(parse('postcopy_ram_fault_thread_request Request for HVA=0xffff8f0e17cd3000 rb=pc.ram offset=0x7fed3000 pid=8556')).toBe(Ev.request);
    expect(f).toMatchObject({ addrHi: 0xffff8f0e, addrLo: 0x17cd3000, pid: 8556 });
  });

  it('reads the <= 10.0 accounting lines', () => {
    expect(parse('get_mem_fault_cpu_index cpu: -1, pid: 8700')).toBe(Ev.cpuIndex);
    expect(f).toMatchObject({ cpu: -1, pid: 8700 });
    expect(parse('mark_postcopy_blocktime_begin addr: 0x7f0ee7cd3000, dd: 0x562e95df5250, time: 3029, cpu: 1, already_received: 0')).toBe(Ev.markBegin);
    expect(f).toMatchObject({ addrHi: 0x7f0e, addrLo: 0xe7cd3000, ms: 3029, cpu: 1, flag: 0 });
    expect(parse('mark_postcopy_blocktime_end addr: 0x7f0ee7cd3000, dd: 0x562e95df5250, time: 64602, affected_cpu: 2')).toBe(Ev.markEnd);
    expect(f).toMatchObject({ ms: 64602, affected: 2 });
  });

  it('reads the >= 10.1 accounting lines, times in ns split at the second', () => {
    expect(parse('postcopy_blocktime_tid_cpu_map cpu: 3, tid: 31343')).toBe(Ev.cpuMap);
    expect(f).toMatchObject({ cpu: 3, pid: 31343 });
    expect(parse('postcopy_blocktime_begin addr: 0x7f0ee7cd3000, time: 1795664136591056123, cpu: -1, exist: 1')).toBe(Ev.btBegin);
    expect(f).toMatchObject({ cpu: -1, flag: 1, time: { sec: 1795664136, frac: 591056123 } });
    expect(parse('postcopy_blocktime_end addr: 0x7f0ee7cd3000, time: 1664355297705, affected_cpus: 1, affected_non_cpus: 2')).toBe(Ev.btEnd);
    expect(f).toMatchObject({ affected: 1, affectedNonCpus: 2, time: { sec: 1664, frac: 355297705 } });
    expect(parse('postcopy_blocktime_end_one cpu: 1, left_faults: 1')).toBe(Ev.btEndOne);
    expect(f).toMatchObject({ cpu: 1, flag: 1 });
  });

  it('reads both place lines, and the RAMBlock-qualified spelling', () => {
    expect(parse('postcopy_place_page host=0x7f0ee7cd3000')).toBe(Ev.place);
    expect(parse('postcopy_place_page_zero host=0x7f0ee7cd4000')).toBe(Ev.placeZero);
    expect(f.addrLo).toBe(0xe7cd4000);
    expect(parse('postcopy_place_page id=pc.ram offset=0x1000 host=0x7f0ee7cd5000')).toBe(Ev.place);
    expect(f.addrLo).toBe(0xe7cd5000);
  });

  it('leaves other events and non-event lines alone', () => {
    expect(parse('migrate_set_state new state postcopy-active')).toBe(NOT_OURS);
    expect(parse('qemu-system-x86_64: warning: host doesn\'t support requested feature')).toBe(NOT_OURS);
    expect(parse('')).toBe(NOT_OURS);
    expect(parse('postcopy_ram_fault_thread_request_extra x')).toBe(NOT_OURS);
  });

  it('flags a known event whose arguments do not parse, saying what was expected', () => {
    expect(parse('mark_postcopy_blocktime_begin addr: 0x7f0ee7cd3000, time: 3029, cpu: 1')).toBe(MALFORMED);
    expect(malformedWhat).toContain('already_received');
    expect(parse('postcopy_blocktime_begin addr: 0x12345678901234567, time: 1, cpu: 0, exist: 0')).toBe(MALFORMED);
    expect(parse('postcopy_place_page')).toBe(MALFORMED);
    expect(parse('get_mem_fault_cpu_index cpu: -5, pid: 1')).toBe(MALFORMED);
  });
});
