/**
 * Issue 11, case 7 and its siblings: SIGINT or SIGTERM in the middle of a
 * command that writes leaves no partial file (nor a DuckDB spill directory)
 * behind, exits 130 and says what was not written. Each command is caught
 * mid-work deterministically: reading a trace from a pipe this test keeps
 * open, or running a query that would take hours; the test waits (polling,
 * with a generous bound) until the command's temporary file or spill
 * directory exists, then signals it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { BIN, ROOT, blocktime } from '../cli/run.js';
import { suiteDir, testDir } from '../tmp.js';

const work = suiteDir('blocktime-adversarial-signals-');
/** The input: what `capture --sim --faults 20k -o -` writes. */
const stream = join(work, 't.arrows');
const trace = join(work, 't.arrow');

beforeAll(async () => {
  for (const out of [stream, trace]) {
    const r = await blocktime(['capture', '--sim', '--faults', '20k', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
  }
});

interface Running {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

/** `blocktime ...args` in `cwd`, its stdin a pipe this test holds open (and may write to). */
function start(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
  // The command may end before reading all we wrote.
  child.stdin!.on('error', () => undefined);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // A command that failed to stop must not outlive its test.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stderr: () => stderr, exited };
}

/** Polls until `condition` holds; fails (naming `what`) only after a bound no healthy run comes near. */
async function until(what: string, condition: () => boolean, running: Running): Promise<void> {
  const deadline = Date.now() + 60_000;
  let ended = false;
  void running.exited.then(() => (ended = true));
  while (!condition()) {
    if (ended) throw new Error(`the command ended before ${what}: ${running.stderr()}`);
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const temporaryFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
const hasData = (dir: string): boolean => temporaryFiles(dir).some((f) => statSync(join(dir, f)).size > 0);
const spillDirectories = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('blocktime-db-'));

describe('a signal mid-command: exit 130, one line, nothing left behind', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`(capture --sim --faults 20k -o - ; sleep 30) | convert - sig.csv, then ${signal}`, async () => {
      const dir = testDir('blocktime-signal-convert-');
      const run = start(['convert', '-', 'sig.csv'], dir);
      run.child.stdin!.write(readFileSync(stream));
      await until('convert wrote part of sig.csv', () => hasData(dir), run);
      run.child.kill(signal);
      expect(await run.exited).toBe(130);
      expect(run.stderr()).toBe(`blocktime: convert: interrupted by ${signal}; sig.csv not written\n`);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('query t.arrow "<slow query>" -o x.parquet, then SIGINT: neither x.parquet nor the spill directory stays', async () => {
    const dir = testDir('blocktime-signal-query-');
    const tmp = testDir('blocktime-signal-tmpdir-');
    const run = start(['query', trace, 'SELECT sum(hash(range)) FROM range(100000000000)', '-o', 'x.parquet'], dir, { TMPDIR: tmp });
    await until('the COPY opened its file', () => temporaryFiles(dir).length > 0, run);
    expect(spillDirectories(tmp)).toHaveLength(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toBe('blocktime: query: interrupted by SIGINT; x.parquet not written\n');
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('export - e.parquet --faults (the trace still arriving), then SIGTERM: the spill directory is removed', async () => {
    const dir = testDir('blocktime-signal-export-');
    const tmp = testDir('blocktime-signal-tmpdir-');
    const run = start(['export', '-', 'e.parquet', '--faults'], dir, { TMPDIR: tmp });
    const bytes = readFileSync(stream);
    run.child.stdin!.write(bytes.subarray(0, bytes.length >> 1));
    await until('the load started', () => spillDirectories(tmp).length > 0, run);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toBe('blocktime: export: interrupted by SIGTERM\n');
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('report - -o r.html (the trace still arriving), then SIGINT', async () => {
    const dir = testDir('blocktime-signal-report-');
    const tmp = testDir('blocktime-signal-tmpdir-');
    const run = start(['report', '-', '-o', 'r.html'], dir, { TMPDIR: tmp });
    await until('the load started', () => spillDirectories(tmp).length > 0, run);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toBe('blocktime: report: interrupted by SIGINT\n');
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('capture --sim --faults 50M -o x.arrow, then SIGINT: the capture stops itself and writes nothing', async () => {
    const dir = testDir('blocktime-signal-capture-');
    const run = start(['capture', '--sim', '--faults', '50M', '-o', 'x.arrow'], dir);
    await until('the capture wrote part of x.arrow', () => hasData(dir), run);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toBe('blocktime: capture --sim: interrupted; no trace written\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('analyze - (the trace still arriving), then SIGINT: exit 130 and one line, not death by the signal', async () => {
    const run = start(['analyze', '-'], ROOT);
    const bytes = readFileSync(stream);
    // Far more than a pipe holds: written only once analyze has read most of it, so it is running.
    await new Promise((resolve) => run.child.stdin!.write(bytes.subarray(0, bytes.length >> 1), resolve));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toBe('blocktime: analyze: interrupted by SIGINT\n');
  });
});
