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

/**
 * The file system refused what a command had to do with a path the user
 * gave (or a directory blocktime keeps its scratch files in):
 * `PATH: cannot write here: no space left on device`.
 */
export class FileSystemError extends BlocktimeError {
  readonly path: string;
  constructor(path: string, what: string) {
    super(`${path}: ${oneLine(what)}`, ExitCode.badInput);
    this.path = path;
  }
}

/**
 * What an errno code says about the user's files and disks, in words; the
 * one table of them. `undefined`: a code that is no fault of the input or of
 * the machine's disks (a bug of ours, then). `writing` names a missing
 * directory rather than a missing file.
 */
export function errnoCause(code: string | undefined, writing = false): string | undefined {
  if (code === 'ENOENT') return writing ? 'no such directory' : 'no such file';
  return code === undefined ? undefined : ERRNO_CAUSES[code];
}

const ERRNO_CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'on another file system',
  EIO: 'input/output error (the disk or the network file system failed)',
};

/** `err`, thrown while writing the output `path` (or its temporary name), as `PATH: cannot write here: CAUSE`; anything else as it was. */
export function asWriteError(err: unknown, path: string): unknown {
  if (err instanceof BlocktimeError) return err;
  const cause = errnoCause((err as NodeJS.ErrnoException | undefined)?.code, true);
  return cause === undefined ? err : new FileSystemError(path, `cannot write here: ${cause}`);
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
  // A file the user named that cannot be opened, a full or read-only disk: the user's to fix, not a bug.
  const cause = errnoCause(e?.code);
  if (e && cause !== undefined) {
    // Some calls (a read on a directory's handle, a write) give no path: Node's message then, which names the call.
    return { message: e.path ? `${e.path}: ${cause}` : oneLine(e.message), exitCode: ExitCode.badInput };
  }
  // A bug of ours: the stack helps us, not the user, so it is shown on request.
  const detail = e instanceof Error ? (process.env.BLOCKTIME_DEBUG ? e.stack ?? e.message : e.message) : String(err);
  return { message: `internal error: ${detail}`, exitCode: ExitCode.internal };
}
