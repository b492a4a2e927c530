import { describe, it, expect } from 'vitest';
import { ExitCode, FileSystemError, InputError, asWriteError, toExit } from '../src/errors.js';

function errno(code: string, message: string, path?: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  if (path !== undefined) e.path = path;
  return e;
}

describe('toExit', () => {
  it('a file the user named that cannot be opened is bad input, named', () => {
    expect(toExit(errno('ENOENT', 'ENOENT: no such file or directory', 'x.arrow'))).toEqual({ message: 'x.arrow: no such file', exitCode: ExitCode.badInput });
  });

  it('an errno error without a path gets no empty name in front', () => {
    expect(toExit(errno('EISDIR', 'EISDIR: illegal operation on a directory, read'))).toEqual({
      message: 'EISDIR: illegal operation on a directory, read',
      exitCode: ExitCode.badInput,
    });
  });

  it('our own errors keep their message and code', () => {
    expect(toExit(new InputError({ file: 'd' }, 'is a directory; expected a trace file'))).toEqual({ message: 'd: is a directory; expected a trace file', exitCode: 2 });
  });

  it("a full or read-only disk, or no permission, is the user's to fix: the path and the cause in words, exit 2", () => {
    expect(toExit(errno('ENOSPC', 'ENOSPC: no space left on device, mkdtemp', '/tmp/x'))).toEqual({ message: '/tmp/x: no space left on device', exitCode: 2 });
    expect(toExit(errno('EROFS', 'EROFS: read-only file system, open', 'r.html'))).toEqual({ message: 'r.html: read-only file system', exitCode: 2 });
    expect(toExit(errno('EACCES', "EACCES: permission denied, open 't.arrow'", 't.arrow'))).toEqual({ message: 't.arrow: permission denied', exitCode: 2 });
  });

  it('an errno code that is no fault of the input stays an internal error', () => {
    expect(toExit(errno('EBADF', 'EBADF: bad file descriptor, read'))).toMatchObject({ exitCode: ExitCode.internal });
  });
});

describe('asWriteError', () => {
  it('names the output (not the errno call) and the cause', () => {
    const err = asWriteError(errno('ENOSPC', 'ENOSPC: no space left on device, write'), 'x.csv');
    expect(err).toBeInstanceOf(FileSystemError);
    expect(toExit(err)).toEqual({ message: 'x.csv: cannot write here: no space left on device', exitCode: 2 });
    expect((asWriteError(errno('ENOENT', 'ENOENT'), 'd/x.csv') as Error).message).toBe('d/x.csv: cannot write here: no such directory');
  });

  it('leaves anything else as it was', () => {
    const bug = new TypeError('x is undefined');
    expect(asWriteError(bug, 'x.csv')).toBe(bug);
  });
});
