/**
 * Whether an input names a regular file, which a worker thread can open and
 * read again on its own; not stdin (`-`), a pipe or a device, which are read
 * once.
 */
import { stat } from 'node:fs/promises';

export async function isRegularFile(path: string): Promise<boolean> {
  if (path === '-') return false;
  try {
    return (await stat(path)).isFile();
  } catch {
    // openTrace says what is wrong with the path.
    return false;
  }
}
