import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { QemuLine } from '../../../src/import/qemu-log/accounting.js';
import { openTrace, type OpenOptions } from '../../../src/formats/open.js';
import { suiteDir } from '../../tmp.js';

const FIX = new URL('../../../fixtures/qemu/', import.meta.url).pathname;
const tmp = suiteDir('blocktime-qemu-');

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** The log opened as every trace is (the format registry), its QEMU view beside its metadata. */
async function openQemuLog(path: string, opts: OpenOptions = {}) {
  const src = await openTrace(path, { ...opts, format: 'qemu-log' });
  const { qemu } = src;
  return {
    meta: src.meta,
    scan: qemu.scan,
    get stats() {
      return qemu.stats;
    },
    pairs: () => qemu.pairs(),
  };
}

interface Row {
  t: bigint;
  kind: string;
  tid: number;
  addr: bigint;
  cpu: number;
  line: number;
  event: number;
}

async function rows(path: string, opts: OpenOptions = {}): Promise<{ rows: Row[]; src: Awaited<ReturnType<typeof openQemuLog>> }> {
  const src = await openQemuLog(path, opts);
  const out: Row[] = [];
  for await (const { batch, acct } of src.pairs()) {
    for (let i = 0; i < batch.length; i++) {
      out.push({
        t: batch.t[i]!,
        kind: ['vcpu', 'fault', 'resolve', 'erase'][batch.kind[i]!]!,
        tid: batch.tid[i]!,
        addr: batch.addr[i]!,
        cpu: batch.cpu[i]!,
        line: acct.line[i]!,
        event: acct.event[i]!,
      });
    }
  }
  return { rows: out, src };
}

const MS = 1_000_000n;

describe('QEMU <= 10.0 logs (TID@SECONDS.MICROS prefix)', () => {
  it('detects the generation and prefix, emits vcpu rows first at start_ns, then faults and resolves in log order', async () => {
    const { rows: r, src } = await rows(join(FIX, 'example1-7.2.log'));
    expect(src.scan.generation).toBe('atomic');
    expect(src.scan.prefix).toBe('tid');
    const start = 1795664025100n * MS;
    expect(src.meta.startNs).toBe(start);
    expect(src.meta.vcpus).toBe(3);
    expect(r.slice(0, 3).map((x) => [x.kind, x.tid, x.cpu, x.t])).toEqual([
      ['vcpu', 101, 0, start],
      ['vcpu', 102, 1, start],
      ['vcpu', 103, 2, start],
    ]);
    expect(r.slice(3).map((x) => `${x.kind} ${x.tid} ${x.addr.toString(16)}`)).toEqual([
      'fault 101 7f0e17c01000',
      'fault 102 7f0e17c02000',
      'resolve 0 7f0e17c01000',
      'resolve 0 7f0e17c05000',
      'fault 103 7f0e17c03000',
      'fault 101 7f0e17c04000',
      'resolve 0 7f0e17c02000',
      'resolve 0 7f0e17c03000',
      'resolve 0 7f0e17c04000',
    ]);
    // Prefix times to the microsecond, exact int64.
    expect(r[3]!.t).toBe(1795664025110042000n);
    expect(r[5]!.t).toBe(1795664025130020000n);
    expect(r[3]).toMatchObject({ line: 2, event: QemuLine.markBegin });
    expect(r[5]).toMatchObject({ line: 9, event: QemuLine.markEnd });
    expect(src.meta.source).toMatchObject({
      kind: 'qemu-log',
      qemu: '<= 10.0',
      prefix: 'tid',
      lines: 23,
      skipped: { not_events: 1, other_generation: 0, malformed: 0 },
      vcpus_from: 'highest-cpu',
    });
  });

  it('warns that N is the highest cpu + 1 unless --vcpus says', async () => {
    const warnings: string[] = [];
    await openQemuLog(join(FIX, 'example1-7.2.log'), { onWarning: (m) => warnings.push(m) });
    expect(warnings.join()).toMatch(/taking N = 3 .*--vcpus/);
    const quiet: string[] = [];
    const src = await openQemuLog(join(FIX, 'example1-7.2.log'), { vcpus: 4, onWarning: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
    expect(src.meta.vcpus).toBe(4);
  });

  it("moves a resolve before a fault QEMU saw as already received, and a fault into its begin line's millisecond", async () => {
    const { rows: r, src } = await rows(join(FIX, 'moved-resolve-7.2.log'));
    expect(r.map((x) => `${x.kind} ${x.tid} ${x.addr.toString(16)}`)).toEqual([
      'vcpu 201 0',
      'vcpu 202 0',
      'fault 201 7f0e17d01000',
      'fault 8700 7f0e17d06000',
      // Written after the fault of 202 on the same page, placed before it.
      'resolve 0 7f0e17d01000',
      'fault 202 7f0e17d01000',
      'resolve 0 7f0e17d06000',
      'fault 202 7f0e17d02000',
      'resolve 0 7f0e17d02000',
    ]);
    // The request line said ms 9 (…009990 us); QEMU's begin line said ms 10: the start of ms 10.
    expect(r[7]!.t).toBe(1795664030010n * MS);
    expect(src.stats).toMatchObject({ faults_retimed: 1, resolves_moved: 1, resolves_not_found: 0 });
  });

  it("keeps a resolve whose end line counted an already-received fault after it, and adds the erase; rows on QEMU's clock", async () => {
    const { rows: r, src } = await rows(join(FIX, 'race-7.2.log'));
    const D = '7f85e5373000';
    expect(r.slice(7, 11).map((x) => `${x.kind} ${x.tid} ${x.addr.toString(16)}`)).toEqual([
      `fault 17757 ${D}`,
      `resolve 0 ${D}`,
      'resolve 0 7f85e5400000',
      // QEMU's received check erased the slot after the end released it: the begin line's annotation moves here.
      `erase 17757 ${D}`,
    ]);
    expect(r[7]).toMatchObject({ event: QemuLine.none });
    expect(r[10]).toMatchObject({ line: 21, event: QemuLine.markBegin });
    expect(src.stats).toMatchObject({ races: 1, resolves_moved: 0, rows: { erase: 1 } });
    // Begin lines written 2 us and 942 us into QEMU's milliseconds pin its ms 0 to 342-402 us into a wall-clock one.
    expect(src.meta.source).toMatchObject({ qemu_clock: { phase_ns: 402000, uncertainty_ns: 60000, begin_lines: 5 } });
    expect(src.meta.startNs).toBe(1796161900000n * MS);
    expect(r[3]!.t).toBe(1796161900021340000n - 402000n);
  });

  it('reads ISO-8601 prefixes too (the fraction omitted at a whole second)', async () => {
    const { rows: r, src } = await rows(join(FIX, 'example2-10.0-iso.log'));
    expect(src.scan.prefix).toBe('iso');
    expect(src.meta.startNs).toBe(BigInt(Date.UTC(2026, 2, 2, 10, 15, 42)) * MS);
    expect(r.at(-1)!.t).toBe(BigInt(Date.UTC(2026, 2, 2, 10, 15, 43)) * MS + 4000n);
  });

  it('counts an already-received fault whose resolve never comes, and still emits every row', async () => {
    const log = write(
      'never.log',
      [
        '1@100.000100:postcopy_ram_fault_thread_request Request for HVA=0x5000 rb=pc.ram offset=0x0 pid=7',
        '1@100.000101:get_mem_fault_cpu_index cpu: 0, pid: 7',
        '1@100.000102:mark_postcopy_blocktime_begin addr: 0x5000, dd: 0x1, time: 0, cpu: 0, already_received: 1',
        '2@100.000200:mark_postcopy_blocktime_end addr: 0x6000, dd: 0x1, time: 0, affected_cpu: 0',
      ].join('\n') + '\n',
    );
    const { rows: r, src } = await rows(log);
    expect(r.map((x) => x.kind)).toEqual(['vcpu', 'fault', 'resolve']);
    expect(src.stats.resolves_not_found).toBe(1);
  });
});

describe('QEMU >= 10.1 logs', () => {
  it('takes fault and resolve times from the time fields, N from the tid/cpu map', async () => {
    const { rows: r, src } = await rows(join(FIX, 'example1-11.1.log'));
    expect(src.scan.generation).toBe('mutex');
    expect(src.meta.vcpus).toBe(3);
    expect(src.meta.source).toMatchObject({ qemu: '>= 10.1', vcpus_from: 'log', prefix: 'iso' });
    const faults = r.filter((x) => x.kind === 'fault');
    expect(faults.map((x) => x.t)).toEqual([1664010000000n, 1664020000000n, 1664040000000n, 1664050000000n]);
    expect(faults.map((x) => x.tid)).toEqual([101, 102, 103, 101]);
  });

  it('puts a place-only resolve on the time clock with the smallest prefix - time offset', async () => {
    const { rows: r } = await rows(join(FIX, 'example1-11.1.log'));
    const e = r.find((x) => x.addr === 0x7f0e17c05000n)!;
    // Prefix …44.035010; the smallest prefix - time is 4 us (the begin line at …44.010004 for time 1664.010000000).
    expect(e).toMatchObject({ kind: 'resolve', event: QemuLine.place });
    expect(e.t).toBe(1664035006000n);
  });

  it('without prefixes gives a place-only resolve the time of the row before it', async () => {
    const { rows: r, src } = await rows(join(FIX, 'example1-11.1-noprefix.log'));
    expect(src.scan.prefix).toBe('none');
    const i = r.findIndex((x) => x.addr === 0x7f0e17c05000n);
    expect(r[i]!.t).toBe(r[i - 1]!.t);
    expect(r[i]!.t).toBe(1664030000000n);
  });

  it('non-vCPU faults take the pid of the request line; place lines of pending pages are not resolves; a place-only resolve followed by a begin of its page is dropped', async () => {
    const { rows: r, src } = await rows(join(FIX, 'example3-11.1.log'));
    const faults = r.filter((x) => x.kind === 'fault');
    expect(faults.map((x) => x.tid)).toEqual([201, 202, 201, 8700, 8702, 8701]);
    expect(r.filter((x) => x.kind === 'resolve' && x.event === QemuLine.place).map((x) => x.addr.toString(16))).toEqual(['7f0e17f08000']);
    expect(src.stats).toMatchObject({ place_resolves: 2, place_resolves_dropped: 1 });
    expect(r.filter((x) => x.kind === 'resolve')).toHaveLength(6);
  });
});

describe('detection, options and bad input', () => {
  it('--qemu-version overrides detection; a log of both generations needs it', async () => {
    const a = readFileSync(join(FIX, 'example1-7.2.log'), 'utf8');
    const b = readFileSync(join(FIX, 'example1-11.1.log'), 'utf8').replace(/^\S+ /gm, '8616@1795664025.999999:');
    const mixed = write('mixed.log', a + b);
    await expect(openQemuLog(mixed)).rejects.toThrow(/both QEMU <= 10.0 .* and >= 10.1 .*--qemu-version/);
    const src = await openQemuLog(mixed, { qemuVersion: '7.2' });
    expect(src.scan.generation).toBe('atomic');
    expect(src.meta.source).toMatchObject({ detected_from: '--qemu-version', skipped: { other_generation: 15 } });
    await expect(openQemuLog(mixed, { qemuVersion: 'seven' })).rejects.toThrow(/--qemu-version/);
  });

  it('a log without timestamps whose events carry no time is an error that says -msg timestamp=on', async () => {
    const err = await openQemuLog(join(FIX, 'no-timestamps-7.2.log')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/no-timestamps-7\.2\.log: .*-msg timestamp=on/);
  });

  it('a log with no postcopy events is an error naming the -trace events', async () => {
    await expect(openQemuLog(write('empty.log', 'qemu: hello\n'))).rejects.toThrow(/no postcopy trace events in 1 lines: .*-trace/);
  });

  it('a malformed line of a known event is an error with its line number; --lenient counts it', async () => {
    const text = readFileSync(join(FIX, 'example1-7.2.log'), 'utf8').split('\n');
    text[5] = '8616@1795664025.120033:get_mem_fault_cpu_index cpu: one, pid: 102';
    const bad = write('bad.log', text.join('\n'));
    const err = await openQemuLog(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location.line).toBe(6);
    expect((err as Error).message).toMatch(/bad\.log: line 6: expected get_mem_fault_cpu_index "cpu: N, pid: N"/);
    const { src } = await rows(bad, { lenient: true });
    expect(src.scan.malformed).toBe(1);
    expect(src.meta.source).toMatchObject({ skipped: { malformed: 1 } });
  });

  it('a known event with another prefix form than the file is malformed', async () => {
    const text = readFileSync(join(FIX, 'example1-7.2.log'), 'utf8').split('\n');
    text[3] = text[3]!.replace(/^\S+?:/, '2026-03-02T10:15:43Z ');
    const err = await openQemuLog(write('forms.log', text.join('\n'))).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/line 4: expected a TID@SECONDS\.MICROS: prefix like the log's first event line, found an ISO-8601 time prefix/);
  });

  it('reads gzip by its magic bytes, whatever the name, with the same rows', async () => {
    const plain = await rows(join(FIX, 'example3-11.1.log'));
    const gz = write('trace-log.bin', '');
    writeFileSync(gz, gzipSync(readFileSync(join(FIX, 'example3-11.1.log'))));
    const zipped = await rows(gz);
    expect(zipped.rows).toEqual(plain.rows);
    const truncated = write('cut.log.gz', '');
    writeFileSync(truncated, gzipSync(readFileSync(join(FIX, 'example3-11.1.log'))).subarray(0, 200));
    await expect(openQemuLog(truncated)).rejects.toThrow(/cut\.log\.gz: line \d+: corrupt gzip data/);
  });

  it('the rows do not depend on the batch size (the reordering windows are defined by lines and rows)', async () => {
    for (const name of ['moved-resolve-7.2.log', 'example3-11.1.log']) {
      const big = await rows(join(FIX, name));
      const small = await rows(join(FIX, name), { batchRows: 1 });
      expect(small.rows).toEqual(big.rows);
    }
  });

  it('openTrace dispatches a .log to the importer', async () => {
    const src = await openTrace(join(FIX, 'example1-11.1.log'));
    expect(src.format).toBe('qemu-log');
    let n = 0;
    for await (const b of src.batches()) n += b.length;
    expect(n).toBe(12);
  });
});
