import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { checkAgainstQemu } from '../../src/check/check.js';
import { importQemuLog } from '../../src/formats/import-log.js';
import { blocktime } from '../cli/run.js';
import { suiteDir } from '../tmp.js';

const FIX = new URL('../../fixtures/qemu/', import.meta.url).pathname;
const tmp = suiteDir('blocktime-check-');

/** Each fixture log with the results QEMU would have reported for it. */
const PAIRS: Array<[string, string, 'atomic' | 'mutex']> = [
  ['example1-7.2.log', 'example1-7.2.qmp.json', 'atomic'],
  ['example1-7.2.log', 'example1-7.2.hmp.txt', 'atomic'],
  ['moved-resolve-7.2.log', 'moved-resolve-7.2.qmp.json', 'atomic'],
  ['example2-10.0-iso.log', 'example2-10.0-iso.hmp.txt', 'atomic'],
  ['race-7.2.log', 'race-7.2.qmp.json', 'atomic'],
  ['example1-11.1.log', 'example1-11.1.qmp.json', 'mutex'],
  ['example1-11.1.log', 'example1-11.1.hmp.txt', 'mutex'],
  ['example1-11.1-noprefix.log', 'example1-11.1.qmp.json', 'mutex'],
  ['example1-11.1-tid.log', 'example1-11.1.qmp.json', 'mutex'],
  ['example3-11.1.log', 'example3-11.1.qmp.json', 'mutex'],
];

describe('checking the replay against what QEMU reported', () => {
  for (const [log, expectFile, design] of PAIRS) {
    it(`${log} agrees with ${expectFile} under the ${design} design, every figure, no accounting line contradicted`, async () => {
      const r = await checkAgainstQemu(join(FIX, log), { expect: join(FIX, expectFile), explain: 10 });
      expect(r.design).toBe(design);
      expect(r.figures.filter((f) => f.ok === false)).toEqual([]);
      expect(r.pass).toBe(true);
      expect(r.explain).toEqual([]);
    });
  }

  it("names QEMU's race: the count of blocked vCPUs drifted at the erase row, the total it left unreported, and the running total equal at every end line", async () => {
    const r = await checkAgainstQemu(join(FIX, 'race-7.2.log'), { expect: join(FIX, 'race-7.2.qmp.json') });
    expect(r.mapping).toMatchObject({ races: 1, races_undecided: 0, ends_unexplained: 0, resolves_moved: 0 });
    // Without the drift the end of E (ms 100) would have closed an all-down window opened at ms 85.
    expect(r.race).toMatchObject({ row: 10, at_ms: 60, unreported_total_ms: 15, exact_total_ms: 36 });
    expect(r.race!.message).toMatch(/^QEMU's count of blocked vCPUs drifted at row 10 \(t = 60 ms on QEMU's clock\): from then on its total blocktime could not grow; 15 ms/);
    expect(r.running_total).toMatchObject({ end_lines: 7, equal: 7, parted: 0 });
    expect(r.undecided).toBeUndefined();
  });

  it('puts the rows on the clock the begin lines pin: without the phase every end is 1 ms late', async () => {
    // The same log with its begin lines' reads spread over less of a millisecond: the phase is no longer pinned.
    const text = readFileSync(join(FIX, 'race-7.2.log'), 'utf8').replace('1796161900.021342:mark_postcopy_blocktime_begin', '1796161900.020442:mark_postcopy_blocktime_begin');
    const log = join(tmp, 'unpinned.log');
    writeFileSync(log, text);
    const r = await checkAgainstQemu(log, { expect: join(FIX, 'race-7.2.qmp.json'), explain: 1 });
    expect(r.figures.map((f) => f.replay)).toEqual([23, 73, 58]);
    expect(r.running_total).toMatchObject({ end_lines: 7, causes: { race: 0, unknown: 0 } });
    expect(r.explain![0]).toMatchObject({ field: 'total_ms', qemu: 10, replay: 11 });
    expect(r.explain![0]!.why).toMatch(/\(phase\)/);
  });

  it('two racing faults on one page and an end line that counted one: undecided, counted, with a range that holds QEMU\'s total', async () => {
    // vCPU 0 faults on D too, in the same race window (the fault thread writes its lines in order), and the listen thread's end line of D, which counted one of the two, comes after both begin lines.
    const lines = readFileSync(join(FIX, 'race-7.2.log'), 'utf8').split('\n');
    const endD = lines.findIndex((l) => l.includes('mark_postcopy_blocktime_end addr: 0x7f85e5373000'));
    const [end, place] = lines.splice(endD, 2);
    const beginD = lines.findIndex((l) => l.includes('mark_postcopy_blocktime_begin addr: 0x7f85e5373000'));
    lines.splice(
      beginD + 1,
      0,
      '17819@1796161900.060500:postcopy_ram_fault_thread_request Request for HVA=0x7f85e5373000 rb=pc.ram offset=0x5373000 pid=17756',
      '17819@1796161900.060501:get_mem_fault_cpu_index cpu: 0, pid: 17756',
      '17819@1796161900.060502:mark_postcopy_blocktime_begin addr: 0x7f85e5373000, dd: 0x55c9e8293600, time: 0, cpu: 0, already_received: 1',
      end!,
      place!,
    );
    const log = join(tmp, 'undecided.log');
    writeFileSync(log, lines.join('\n'));
    const r = await checkAgainstQemu(log, { expect: join(FIX, 'race-7.2.qmp.json') });
    expect(r.mapping).toMatchObject({ races: 1, races_undecided: 1 });
    // And the end line of C still says affected_cpu 1, though vCPU 0's fault on D overwrote its slot: unexplained.
    expect(r.undecided).toMatchObject({ rows: 2, races_undecided: 1, ends_unexplained: 1 });
    const [lo, hi] = r.undecided!.total_ms_range;
    expect(lo).toBeLessThanOrEqual(20);
    expect(hi).toBeGreaterThanOrEqual(20);
  });

  it('N comes from the reported list when the log cannot tell it; the exact figure stands beside QEMU\'s', async () => {
    const r = await checkAgainstQemu(join(FIX, 'example3-11.1.log'), { expect: join(FIX, 'example3-11.1.qmp.json') });
    expect(r).toMatchObject({ vcpus: 2, vcpus_from: 'expect', tolerance: 0, compared: 31 });
    // QEMU's per-vCPU figure counts cpu 0's wait on A whole; the trace shows it ended when cpu 0 faulted on C.
    expect(r.figures.find((f) => f.figure === 'postcopy-vcpu-blocktime' && f.index === 0)).toMatchObject({ qemu: 20, replay: 20, diff: 0, exact: 15 });
  });

  it('without the moved resolve the atomic replay wraps a uint32; --explain points at the end line', async () => {
    // The same log, had QEMU not found page A already placed: no rule moves its resolve.
    const text = readFileSync(join(FIX, 'moved-resolve-7.2.log'), 'utf8').replace('time: 0, cpu: 1, already_received: 1', 'time: 8, cpu: 1, already_received: 0');
    const log = join(tmp, 'unmoved.log');
    writeFileSync(log, text);
    const r = await checkAgainstQemu(log, { expect: join(FIX, 'moved-resolve-7.2.qmp.json'), explain: 1 });
    expect(r.pass).toBe(false);
    // cpu 1's fault (ms 8) is released by a resolve timed at ms 7: 2^32 - 1 ms, then + 10.
    expect(r.figures.find((f) => f.index === 1)).toMatchObject({ qemu: 10, replay: 9 });
    expect(r.explain).toEqual([
      {
        row: 5,
        line: 10,
        event: 'mark_postcopy_blocktime_end',
        page: '0x7f0e17d01000',
        field: 'affected_cpu',
        qemu: 1,
        replay: 2,
        why: 'QEMU released 1 vCPU(s) on this page; the replay released vCPU 0, 1',
      },
    ]);
  });

  it('--explain names the first rows where the replay and QEMU\'s accounting lines disagree, and why', async () => {
    // QEMU says it released no vCPU with the resolve of C, though cpu 2 was waiting there.
    const text = readFileSync(join(FIX, 'example1-7.2.log'), 'utf8').replace('0x7f0e17c03000, dd: 0x562e95df5250, time: 10, affected_cpu: 1', '0x7f0e17c03000, dd: 0x562e95df5250, time: 10, affected_cpu: 0');
    const log = join(tmp, 'disagree.log');
    writeFileSync(log, text);
    const r = await checkAgainstQemu(log, { expect: join(FIX, 'example1-7.2.qmp.json'), explain: 5 });
    expect(r.pass).toBe(true);
    expect(r.explain).toEqual([
      {
        row: 10,
        line: 21,
        event: 'mark_postcopy_blocktime_end',
        page: '0x7f0e17c03000',
        field: 'affected_cpu',
        qemu: 0,
        replay: 1,
        why: 'QEMU released 0 vCPU(s) on this page; the replay released vCPU 2',
      },
    ]);
  });

  it('reads the accounting side table of an imported trace for --explain', async () => {
    const out = join(tmp, 'imported.arrow');
    await importQemuLog(join(FIX, 'example3-11.1.log'), out);
    const r = await checkAgainstQemu(out, { expect: join(FIX, 'example3-11.1.qmp.json'), explain: 10 });
    expect(r).toMatchObject({ design: 'mutex', design_from: 'trace metadata', pass: true, explain: [] });
  });
});

describe('blocktime analyze LOG --expect RESULT', () => {
  it('exits 0 and prints the figures side by side when QEMU and the replay agree', async () => {
    const r = await blocktime(['analyze', 'fixtures/qemu/example1-11.1.log', '--expect', 'fixtures/qemu/example1-11.1.hmp.txt']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/postcopy-blocktime \(ms\)\s+10\s+10\s+0\s+10\s+ok/);
    expect(r.stdout).toContain('PASS: 33 figures agree with QEMU exactly.');
  });

  it('exits 3 on a mismatch, with --json', async () => {
    const wrong = join(tmp, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ return: { 'postcopy-blocktime': 10, 'postcopy-vcpu-blocktime': [50, 41, 30] } }));
    const r = await blocktime(['analyze', 'fixtures/qemu/example1-7.2.log', '--expect', wrong, '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout) as { pass: boolean; mismatches: number; figures: Array<{ index?: number; ok: boolean; diff: number }> };
    expect(j).toMatchObject({ pass: false, mismatches: 1 });
    expect(j.figures.find((f) => f.ok === false)).toMatchObject({ index: 1, diff: -1 });
  });

  it('a looser --tolerance lets the same difference pass', async () => {
    const wrong = join(tmp, 'close.json');
    writeFileSync(wrong, JSON.stringify({ 'postcopy-blocktime': 10, 'postcopy-vcpu-blocktime': [50, 41, 30] }));
    const r = await blocktime(['analyze', 'fixtures/qemu/example1-7.2.log', '--expect', wrong, '--tolerance', '5%']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS: 4 figures agree with QEMU within 5%.');
  });

  it('--explain or --lenient without --expect is a usage error, not silently ignored', async () => {
    const r = await blocktime(['analyze', 'fixtures/qemu/example1-7.2.log', '--explain', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("blocktime: --explain compares with QEMU's figures: give them with --expect RESULT\n");
  });
});
