/**
 * What a process that stops early must undo. Paths it makes for a while:
 * outputs under their temporary names (output-file.ts) and DuckDB's spill
 * directories, each held from its creation until it is renamed into place or
 * removed. And work that would keep it from exiting: a running DuckDB query
 * (its instance waits for the query when the process exits), cancelled by a
 * hook its database registers while open.
 *
 * Whoever stops the process early calls `stopEarly` (the CLI, on SIGINT and
 * SIGTERM: the core installs no signal handler). An exit handler, installed
 * while any path is held, removes the paths on any other exit. All of it is
 * synchronous, as exit and signal handlers need.
 */
import { rmSync } from 'node:fs';

export interface HeldPath {
  /** For an output's temporary name: the name the output gets when complete. */
  output?: string;
}

const held = new Map<string, HeldPath>();
const hooks = new Set<() => void>();

export function holdTemporaryPath(path: string, what: HeldPath = {}): void {
  if (held.size === 0) process.on('exit', removeHeldPaths);
  held.set(path, what);
}

export function releaseTemporaryPath(path: string): void {
  if (held.delete(path) && held.size === 0) process.off('exit', removeHeldPaths);
}

export function isTemporaryPathHeld(path: string): boolean {
  return held.has(path);
}

/** The output that `path` is the temporary name of, if it is one held: errors then name what the user asked for. */
export function outputOfTemporaryPath(path: string): string | undefined {
  return held.get(path)?.output;
}

/** The held directory that `path` is in or is, if any. */
export function heldDirectoryOf(path: string): string | undefined {
  for (const dir of held.keys()) if (path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`)) return dir;
  return undefined;
}

/** Registers `cancel`, run by stopEarly; returns its removal. */
export function onEarlyStop(cancel: () => void): () => void {
  hooks.add(cancel);
  return () => hooks.delete(cancel);
}

/** Cancels what runs and removes every path still held; returns the outputs that were therefore not written. */
export function stopEarly(): string[] {
  for (const cancel of hooks) {
    try {
      cancel();
    } catch {
      // One that fails must not keep the others, nor the paths' removal.
    }
  }
  hooks.clear();
  const unwritten: string[] = [];
  for (const what of held.values()) if (what.output !== undefined) unwritten.push(what.output);
  // Still held: the exit handler removes them once more, should a cancelled query's thread have written one since.
  removePaths();
  return unwritten;
}

function removePaths(): void {
  for (const path of held.keys()) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // One that cannot be removed (its directory went read-only) must not keep the others.
    }
  }
}

function removeHeldPaths(): void {
  removePaths();
  held.clear();
  process.off('exit', removeHeldPaths);
}
