/**
 * Small file systems for the disk-error cases: a tmpfs mounted on a scratch
 * directory, full (a size limit) or read-only, unmounted when the test ends.
 * Mounting needs root (CI containers and the development machine run as
 * root); elsewhere `tmpfsSkipReason` says why the cases are skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { suiteDir } from '../tmp.js';

function mount(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
}

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

/** Why mounting a tmpfs fails here, or undefined when it works. */
export const tmpfsSkipReason: string | undefined = (() => {
  const probe = join(suiteDir('blocktime-tmpfs-probe-'), 'm');
  mkdirSync(probe);
  try {
    mount(probe, 'size=64k');
    unmount(probe);
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs here (needs root): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  } finally {
    rmdirSync(probe);
  }
})();
if (tmpfsSkipReason) console.log(`disk-error cases skipped: ${tmpfsSkipReason}`);

let count = 0;

/**
 * Inside a test: a fresh tmpfs of `size` (`1m`, `64k`) mounted in `parent`,
 * read-only with `readOnly`; unmounted (and its mount point removed) when
 * the test ends, whether it passed or failed.
 */
export function tmpfs(parent: string, size: string, opts: { readOnly?: boolean } = {}): string {
  const dir = join(parent, `fs${count++}`);
  mkdirSync(dir);
  mount(dir, `size=${size}${opts.readOnly ? ',ro' : ''}`);
  onTestFinished(() => {
    unmount(dir);
    rmdirSync(dir);
  });
  return dir;
}
