/** Spawns the built CLI (`bin/blocktime`, dist/) as a user would, and collects what it printed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/blocktime', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user and group (the caller must be root): for permissions that root would bypass. */
  user?: { uid: number; gid: number };
}

/** Runs `blocktime ...args` in `cwd` (default: the repository) with colors neither forced nor forbidden unless `env` says so. */
export function blocktime(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCommand(process.execPath, [BIN, ...args], opts);
}

export function runCommand(cmd: string, args: string[], opts: RunOptions & { shell?: boolean } = {}): Promise<RunResult> {
  const env = { ...process.env };
  // The test runner may set these; each test decides for itself.
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], shell: opts.shell ?? false, ...opts.user });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** True when `s` holds a terminal escape sequence. */
export function hasEscapes(s: string): boolean {
  return s.includes('\x1b[');
}
