/**
 * The built CLI as a user runs it, with what the adversarial tests assert
 * about every run: its exit code, its output, and its peak memory. The V8
 * heap is capped, so that a runaway allocation fails fast instead of taking
 * the machine down; typed arrays live outside that heap, which is why the
 * peak resident memory is measured too (getrusage, in the process itself).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { ROOT } from '../cli/run.js';

const WRAPPER = fileURLToPath(new URL('./peak-memory.mjs', import.meta.url));
/** JS heap cap of every run, in MiB. */
const HEAP_MIB = 512;

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the process, in MiB (NaN when it died before saying). */
  peakMiB: number;
}

export function blocktimeMeasured(args: string[], opts: { cwd?: string } = {}): Promise<MeasuredRun> {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, WRAPPER, ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (d: string) => (peak += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, peakMiB: peak === '' ? NaN : Number(peak) / 1024 }));
  });
}

/** A scratch directory for one test file, removed after its tests, pass or fail. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A run's exit code and stderr in one string, for one assertion: a user's
 * mistake is `exit 2: 1 line: blocktime: FILE: ...`, never an internal error
 * or a stack.
 */
export function outcome(run: MeasuredRun): string {
  const lines = run.stderr.trimEnd().split('\n');
  return `exit ${run.code}: ${lines.length} line${lines.length === 1 ? '' : 's'}: ${run.stderr.trimEnd()}`;
}
