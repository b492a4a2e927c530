import { describe, it, expect } from 'vitest';
import { newPrefix, readPrefix } from '../../../src/import/qemu-log/prefix.js';

describe('readPrefix', () => {
  it('reads TID@SECONDS.MICROS: (QEMU <= 10.0 with -msg timestamp=on)', () => {
    const p = newPrefix();
    const line = '8616@1795664025.776809:postcopy_ram_fault_thread_request Request for HVA=0x7f0e17cd3000 rb=pc.ram offset=0x7fed3000 pid=8556';
    readPrefix(line, p);
    expect(p).toMatchObject({ form: 'tid', writerTid: 8616, sec: 1795664025, frac: 776809000 });
    expect(line.slice(p.rest).startsWith('postcopy_ram_fault_thread_request ')).toBe(true);
  });

  it('reads an ISO-8601 UTC prefix with a fraction, and without one (QEMU omits a zero fraction)', () => {
    const p = newPrefix();
    readPrefix('2026-11-26T03:50:44.773970Z postcopy_blocktime_tid_cpu_map cpu: 0, tid: 31343', p);
    expect(p).toMatchObject({ form: 'iso', writerTid: 0, sec: Date.UTC(2026, 10, 26, 3, 50, 44) / 1000, frac: 773970000, rest: 28 });
    readPrefix('2026-03-02T10:15:43Z postcopy_place_page host=0x1000', p);
    expect(p).toMatchObject({ form: 'iso', sec: Date.UTC(2026, 2, 2, 10, 15, 43) / 1000, frac: 0, rest: 21 });
    readPrefix('2026-03-02T10:15:43.5Z x', p);
    expect(p.frac).toBe(500000000);
    readPrefix('2026-03-02T10:15:43.123456789Z x', p);
    expect(p.frac).toBe(123456789);
  });

  it('takes anything else as no prefix: the event starts at column 0', () => {
    const p = newPrefix();
    for (const line of [
      'postcopy_place_page host=0x1000',
      'qemu-system-x86_64: warning: something',
      '123@456:no fraction',
      '2026-03-02T25:15:43Z bad hour',
      '2026-03-02T10:15:43.1234567890Z too many fraction digits',
      '',
    ]) {
      readPrefix(line, p);
      expect(p.form, line).toBe('none');
      expect(p.rest).toBe(0);
    }
  });
});
