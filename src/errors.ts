/**
 * Every error a user can cause is one of these, thrown anywhere in the core
 * and caught once, in `src/cli/main.ts`, which prints `message` on one line
 * and exits with `exitCode`. Anything else that escapes is a bug: exit 1.
 */

export const ExitCode = {
  ok: 0,
  internal: 1,
  badInput: 2,
  /** `analyze --expect`: QEMU's figures and the replay disagree. */
  mismatch: 3,
  /** SIGINT or SIGTERM stopped a command, which then left no output behind (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

export class BlocktimeError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Where in a file the problem is: a 1-based row (data rows, header excluded), a 1-based line, or a byte offset. */
export interface InputLocation {
  file: string;
  row?: number;
  line?: number;
  byteOffset?: number;
}

/** Malformed or unreadable input: `FILE: row R: expected ...`. */
export class InputError extends BlocktimeError {
  readonly location: InputLocation;
  /** What was wrong, without the place: a reader that knows the place better (a log's line) restates it there. */
  readonly what: string;
  constructor(location: InputLocation, what: string) {
    super(`${describeLocation(location)}: ${oneLine(what)}`, ExitCode.badInput);
    this.location = location;
    this.what = what;
  }
}

/** Options that make no sense together, or a value out of range. */
export class UsageError extends BlocktimeError {
  constructor(message: string) {
    super(oneLine(message), ExitCode.badInput);
  }
}

/** A feature this machine cannot provide (no userfaultfd, no native addon). */
export class UnavailableError extends BlocktimeError {
  constructor(message: string) {
    super(oneLine(message), ExitCode.badInput);
  }
}

/** An SQL statement DuckDB rejected. */
export class QueryError extends BlocktimeError {
  constructor(message: string, statement: string) {
    super(`${oneLine(message)} (in: ${oneLine(statement)})`, ExitCode.badInput);
  }
}

export function describeLocation(loc: InputLocation): string {
  const parts = [loc.file];
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.byteOffset !== undefined) parts.push(`byte ${loc.byteOffset}`);
  return parts.join(': ');
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** Turns a thrown value into what the CLI prints and the code it exits with. */
export function toExit(err: unknown): { message: string; exitCode: number } {
  if (err instanceof BlocktimeError) return { message: err.message, exitCode: err.exitCode };
  const e = err as NodeJS.ErrnoException | undefined;
  // A file the user named that cannot be opened is bad input, not a bug.
  if (e && typeof e.code === 'string' && ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM'].includes(e.code)) {
    // Some calls (a read on a directory's handle) give no path: no empty name in front then.
    const where = e.path ? `${e.path}: ` : '';
    return { message: `${where}${e.code === 'ENOENT' ? 'no such file' : e.message}`, exitCode: ExitCode.badInput };
  }
  // A bug of ours: the stack helps us, not the user, so it is shown on request.
  const detail = e instanceof Error ? (process.env.BLOCKTIME_DEBUG ? e.stack ?? e.message : e.message) : String(err);
  return { message: `internal error: ${detail}`, exitCode: ExitCode.internal };
}
