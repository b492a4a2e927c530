import { describe, it, expect } from 'vitest';
import { ExitCode, InputError, toExit } from '../src/errors.js';

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
});
