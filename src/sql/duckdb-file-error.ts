/**
 * DuckDB's errors about the disk under it ("IO Error: Could not write file
 * "x.duckdb": No space left on device") are the user's to fix, like any
 * other command's: the same one line, `PATH: cannot write here: no space
 * left on device`, naming what the user knows (an output rather than its
 * temporary name, the spill directory rather than a file in it).
 */
import { FileSystemError, errnoCause } from '../errors.js';
import { heldDirectoryOf, outputOfTemporaryPath } from '../early-stop.js';

/** The C library's words (strerror), as DuckDB ends its message with them, and their errno codes. */
const STRERROR: Record<string, string> = {
  'No space left on device': 'ENOSPC',
  'Disk quota exceeded': 'EDQUOT',
  'File too large': 'EFBIG',
  'Read-only file system': 'EROFS',
  'Permission denied': 'EACCES',
  'Operation not permitted': 'EPERM',
  'No such file or directory': 'ENOENT',
  'Is a directory': 'EISDIR',
  'Not a directory': 'ENOTDIR',
  'Input/output error': 'EIO',
};

/** `... Could not write file "PATH": No space left on device`, as DuckDB words it in an IO Error, a failed append or a failed commit. */
const FILE_ERROR = new RegExp(`([^"]*)"([^"]+)":? (${Object.keys(STRERROR).join('|')})`);

/** `err` as a FileSystemError when DuckDB says the file system refused it; undefined otherwise. */
export function duckdbFileError(err: unknown): FileSystemError | undefined {
  if (!(err instanceof Error)) return undefined;
  const m = FILE_ERROR.exec(err.message);
  if (!m) return undefined;
  const [, doing, path, words] = m as unknown as [string, string, string, string];
  const writing = !/\bread\b/i.test(doing);
  const cause = errnoCause(STRERROR[words], writing)!;
  const output = outputOfTemporaryPath(path);
  const spill = output === undefined ? heldDirectoryOf(path) : undefined;
  const name = output ?? (spill !== undefined ? `${spill} (DuckDB's spill directory; TMPDIR chooses where)` : path);
  return new FileSystemError(name, `${writing ? 'cannot write here' : 'cannot read'}: ${cause}`);
}
