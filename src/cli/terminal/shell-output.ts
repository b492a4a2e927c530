/**
 * Where the SQL shell's results go: the screen, or the file `.output FILE`
 * named. A file is written under a temporary name and appears, renamed,
 * when it is closed (by the next `.output`, or when the shell ends), as
 * every file blocktime writes does (src/output-file.ts); a write the disk
 * refuses removes it, and the results go to the screen again.
 */
import { type OutputFile, createOutputFile } from '../../output-file.js';
import type { TextSink } from './result-format.js';

export interface ShellOutput {
  /** Writes to the file when one is open, else to the screen. */
  readonly sink: TextSink;
  /** The file results go to, if any. */
  readonly path: string | undefined;
  /** Closes the file open (renamed into place), then sends results to `path`, or to the screen when undefined. */
  redirect(path: string | undefined): Promise<void>;
  /** Closes the file open, if any, renamed into place. */
  close(): Promise<void>;
  /** Removes the file open, if any: the session was interrupted. */
  discard(): Promise<void>;
}

export function createShellOutput(screen: TextSink): ShellOutput {
  let file: OutputFile | undefined;
  const close = async (): Promise<void> => {
    const closing = file;
    file = undefined;
    await closing?.commit();
  };
  return {
    sink: async (text) => {
      if (file === undefined) return screen(text);
      try {
        await file.write([Buffer.from(text)]);
      } catch (err) {
        const failed = file;
        file = undefined;
        await failed.discard();
        throw err;
      }
    },
    get path() {
      return file?.path;
    },
    async redirect(path) {
      await close();
      if (path !== undefined) file = await createOutputFile(path);
    },
    close,
    async discard() {
      const dropped = file;
      file = undefined;
      await dropped?.discard();
    },
  };
}
