/**
 * Scratch directories for tests, under the system's temporary directory,
 * removed whether the tests pass or fail: `npm test` leaves nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

function make(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Inside a test: a directory removed when the test ends. */
export function testDir(prefix = 'blocktime-test-'): string {
  const { dir, remove } = make(prefix);
  onTestFinished(remove);
  return dir;
}

/** At the top of a file or in a `describe` (not in a hook or a test): a directory removed after that file's or block's tests. */
export function suiteDir(prefix = 'blocktime-test-'): string {
  const { dir, remove } = make(prefix);
  afterAll(remove);
  return dir;
}
