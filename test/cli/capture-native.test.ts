import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayTrace } from '../../src/replay/engine.js';
import { openTrace } from '../../src/formats/open.js';
import { BIN, ROOT, blocktime } from './run.js';
import { nativeSkipReason } from '../capture/native/availability.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-native-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('native capture unavailable', () => {
  const off = { BLOCKTIME_NATIVE: 'off' };
  it('capture --native exits 2 with the reason, in one line', async () => {
    const r = await blocktime(['capture', '--native', '-o', join(dir, 'never.arrow')], { env: off });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('blocktime: native capture is unavailable: turned off by BLOCKTIME_NATIVE=off\n');
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('lab exits 2 with the same reason', async () => {
    const r = await blocktime(['lab'], { env: off });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('blocktime: native capture is unavailable: turned off by BLOCKTIME_NATIVE=off\n');
  });

  it('rejects bad native flags before touching the kernel', async () => {
    const r = await blocktime(['capture', '--native', '--resolvers', '0', '-o', join(dir, 'x.arrow')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^blocktime: --resolvers: /);
  });
});

/** Resolves once a temporary output file shows up in `d`: the capture is running. */
async function waitForTempFile(d: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (readdirSync(d).some((f) => f.endsWith('.tmp'))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the capture never opened its output');
}

describe.skipIf(nativeSkipReason !== undefined)('capture --native, stopped by a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} mid-capture: threads stop, every event is flushed, the trace is complete and replays to the live result`, async () => {
      const out = join(dir, `${signal}.arrow`);
      const child = spawn(process.execPath, [BIN, 'capture', '--native', '--vcpus', '2', '--memory', '16M', '--duration', '60s', '--latency', '50us', '-o', out, '--json'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitForTempFile(dir, 30_000);
      await new Promise((r) => setTimeout(r, 400));
      child.kill(signal);
      const code = await exited;
      expect(stderr).toMatch(new RegExp(`^wrote \\S+${signal}\\.arrow \\(.*\\)\\n$`));
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        rows: number;
        source: { kind: string; vcpus: number };
        duration_ns: number;
        events: { vcpu: number; fault: number; resolve: number };
        per_vcpu: Array<{ mutex_live_ns: number }>;
        total: { mutex_live_ns: number };
        mutex_live_equals_replay: boolean;
      };
      expect(report.source).toMatchObject({ kind: 'native', vcpus: 2 });
      expect(report.duration_ns).toBeLessThan(30e9);
      expect(report.mutex_live_equals_replay).toBe(true);
      expect(report.rows).toBe(2 + report.events.fault + report.events.resolve);
      const source = await openTrace(out);
      const outcome = await replayTrace(source, ['mutex']);
      await source.close();
      expect(outcome.timing.events).toBe(report.rows);
      expect(outcome.results.mutex!.vcpu_blocktime_ns).toEqual(report.per_vcpu.map((v) => v.mutex_live_ns));
      expect(outcome.results.mutex!.total_blocktime_ns).toBe(report.total.mutex_live_ns);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }
});

describe.skipIf(nativeSkipReason !== undefined)('capture --native: its per-vCPU table', () => {
  it('shows the vCPUs --cpu, --sort and --top choose, with sum and total rows; --json names them in vcpus_shown', async () => {
    const base = ['capture', '--native', '--vcpus', '3', '--memory', '4M', '--duration', '200ms', '--latency', '50us', '-q'];
    const human = await blocktime([...base, '-o', join(dir, 'table.arrow'), '--sort', 'cpu', '--top', '2']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toBe('');
    const rows = human.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(rows).toEqual([0, 1]);
    expect(human.stdout).toMatch(/\n\s+1 more\s+[\d,]+\s/);
    expect(human.stdout).toMatch(/\n\s+sum\s+[\d,]+\s/);
    expect(human.stdout).toMatch(/\n\s+total\s+[\d,.]+ (ns|us|ms|s)\s/);
    const json = await blocktime([...base, '-o', join(dir, 'json.arrow'), '--cpu', '2', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const j = JSON.parse(json.stdout) as { vcpus_shown: number[]; per_vcpu: Array<{ cpu: number }>; replay: { exact: { vcpu_blocktime_ns: number[]; vcpus_shown: number[] } }; atomic_live_minus_replay: { vcpu_ns: number[] } };
    expect(j.vcpus_shown).toEqual([2]);
    expect(j.per_vcpu.map((v) => v.cpu)).toEqual([2]);
    expect(j.atomic_live_minus_replay.vcpu_ns).toHaveLength(1);
    expect(j.replay.exact.vcpus_shown).toEqual([2]);
    expect(j.replay.exact.vcpu_blocktime_ns).toHaveLength(1);
  });
});
