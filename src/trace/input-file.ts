/**
 * A path the user named as input, checked before it is read: reading a
 * directory fails with an EISDIR that carries no path, so a directory is
 * caught here and named.
 */
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { InputError } from '../errors.js';

/** The path's stats; `expected` says what it should have been ("a trace file"). */
export async function statInput(path: string, expected: string): Promise<Stats> {
  const st = await stat(path);
  if (st.isDirectory()) throw new InputError({ file: path }, `is a directory; expected ${expected}`);
  return st;
}
