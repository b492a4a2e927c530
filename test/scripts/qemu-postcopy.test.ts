/**
 * scripts/qemu-postcopy.mjs end to end: one short real postcopy migration
 * between two local QEMUs (TCG, 2 vCPUs, a 160 MiB guest, a few seconds of
 * postcopy), then its logs through blocktime. The replay of the destination's
 * log under the atomic design (QEMU 7.2 predates 10.1) must give QEMU's own
 * postcopy-blocktime and postcopy-vcpu-blocktime within 1%, and every page
 * request the destination sent must be one the source received and queued.
 *
 * Skipped, saying why, where qemu-system-x86_64 is not installed or the
 * script cannot get a kernel or build the guest (exit 3: no apt, no network,
 * no static libc).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { blocktime, ROOT, runCommand, type RunResult } from '../cli/run.js';
import { suiteDir } from '../tmp.js';

const SCRIPT = join(ROOT, 'scripts/qemu-postcopy.mjs');
const QEMU = 'qemu-system-x86_64';
const VCPUS = 2;
/** The script's exit code for a missing prerequisite (a kernel, gcc -static). */
const EXIT_UNAVAILABLE = 3;

const hasQemu = spawnSync(QEMU, ['--version']).status === 0;
if (!hasQemu) console.log(`real QEMU migration skipped: no ${QEMU} on PATH (apt-get install qemu-system-x86)`);

/** The events of one trace log, `TID@SECONDS.MICROS:event args`, in file order. */
function traceEvents(log: string): Array<{ event: string; args: string }> {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const m = /^\d+@\d+\.\d{6}:(\w+) ?(.*)$/.exec(line);
      if (!m) throw new Error(`${log}: not a trace line: ${line}`);
      return { event: m[1]!, args: m[2]! };
    });
}

const count = <T>(items: T[]): Map<T, number> => {
  const map = new Map<T, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
};

describe.skipIf(!hasQemu)('a real postcopy migration (scripts/qemu-postcopy.mjs)', () => {
  const out = join(suiteDir('blocktime-qemu-'), 'run');
  let run: RunResult;
  let unavailable: string | undefined;

  beforeAll(async () => {
    run = await runCommand(process.execPath, [
      SCRIPT, '--out', out, '--vcpus', String(VCPUS), '--memory', '160M', '--buffer', '64M',
      '--bandwidth', '24MB/s', '--precopy-time', '1s', '--timeout', '150s',
    ]);
    if (run.code === EXIT_UNAVAILABLE) {
      unavailable = run.stderr.trim().split('\n').pop();
      console.log(`real QEMU migration skipped: ${unavailable}`);
    }
  }, 170_000);

  it('completes and names its outputs on its last line', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    expect(run.stderr, run.stderr).toMatch(/wrote \S+\/dst\.log \S+\/src\.log \S+\/query-migrate\.json/);
    expect(run.code).toBe(0);
    for (const f of ['dst.log', 'src.log', 'query-migrate.json', 'run.json', 'dst-events.txt', 'src-events.txt']) expect(existsSync(join(out, f)), f).toBe(true);
    const reply = JSON.parse(readFileSync(join(out, 'query-migrate.json'), 'utf8')) as { return: { status: string; 'postcopy-vcpu-blocktime': number[] } };
    expect(reply.return.status).toBe('completed');
    expect(reply.return['postcopy-vcpu-blocktime']).toHaveLength(VCPUS);
  });

  it("replays the destination's log to QEMU's own blocktime figures within 1% (atomic design)", async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const r = await blocktime(['analyze', join(out, 'dst.log'), '--expect', join(out, 'query-migrate.json'), '--variant', 'atomic', '--json']);
    const check = JSON.parse(r.stdout) as { design: string; compared: number; figures: Array<{ figure: string; index?: number; qemu: number; replay: number }> };
    expect(check.design).toBe('atomic');
    expect(check.compared).toBe(1 + VCPUS);
    for (const f of check.figures) {
      expect(Math.abs(f.replay - f.qemu), `${f.figure}${f.index === undefined ? '' : `[${f.index}]`}: QEMU ${f.qemu} ms, replay ${f.replay} ms`).toBeLessThanOrEqual(0.01 * f.qemu);
    }
    expect(r.code).toBe(0);
  });

  it('logs on both sides parse, and every page request sent was received and queued by the source', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const dst = traceEvents(join(out, 'dst.log'));
    const src = traceEvents(join(out, 'src.log'));
    const dstEvents = count(dst.map((e) => e.event));
    for (const e of ['postcopy_ram_fault_thread_request', 'get_mem_fault_cpu_index', 'mark_postcopy_blocktime_begin', 'mark_postcopy_blocktime_end', 'postcopy_place_page', 'migrate_send_rp_message', 'ram_load_postcopy_loop', 'migrate_set_state']) {
      expect(dstEvents.get(e), `destination ${e}`).toBeGreaterThan(0);
    }
    const srcEvents = count(src.map((e) => e.event));
    for (const e of ['migrate_handle_rp_req_pages', 'ram_save_queue_pages', 'get_queued_page', 'ram_save_page', 'migrate_transferred', 'migrate_set_state']) {
      expect(srcEvents.get(e), `source ${e}`).toBeGreaterThan(0);
    }
    // Return-path messages 3 (REQ_PAGES_ID) and 4 (REQ_PAGES) are page requests.
    const sent = dst.filter((e) => e.event === 'migrate_send_rp_message' && /^[34]:/.test(e.args)).length;
    const received = src.filter((e) => e.event === 'migrate_handle_rp_req_pages').map((e) => /at (0x[0-9a-f]+)/.exec(e.args)![1]!);
    const queued = src.filter((e) => e.event === 'ram_save_queue_pages').map((e) => /start: (0x[0-9a-f]+)/.exec(e.args)![1]!);
    expect(received.length).toBe(sent);
    expect(queued).toEqual(received);
    // Each received offset is that of a fault the destination's fault thread read.
    const faulted = new Set(dst.filter((e) => e.event === 'postcopy_ram_fault_thread_request').map((e) => /offset=(0x[0-9a-f]+)/.exec(e.args)![1]!));
    expect(received.filter((o) => !faulted.has(o))).toEqual([]);
  });

  it('refuses an --out that exists and is not empty, in one line', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const again = await runCommand(process.execPath, [SCRIPT, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`qemu-postcopy: --out: ${out} exists and is not an empty directory\n`);
  });
});
