/**
 * The traces a fleet command reads, from what the user named: paths as they
 * are, directories walked recursively for every file whose name the format
 * registry recognizes (compressed or not), and glob patterns the shell left
 * unexpanded (quoted) expanded here. The list is in the order given, each
 * directory's and pattern's files in name order, without repeats.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { recognizes } from '../formats/registry.js';
import { expandGlob, isGlob } from './glob.js';

/** What the arguments after the first may be, for --help. */
export const FLEET_ARGUMENT = 'more traces, directories (read recursively) or quoted glob patterns: one row per trace';

/** Whether these arguments name a fleet (several traces, a directory or a pattern) rather than one trace. */
export async function namesFleet(args: readonly string[]): Promise<boolean> {
  if (args.length !== 1) return true;
  const arg = args[0]!;
  if (arg === '-') return false;
  const s = await stat(arg).catch(() => undefined);
  if (s) return s.isDirectory();
  return isGlob(arg);
}

/** The trace files the arguments name. A directory or pattern with no trace in it is a usage error. */
export async function expandInputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push(path);
  };
  for (const arg of args) {
    if (arg === '-') throw new UsageError('-: stdin is one trace; name files, directories or patterns for several');
    const s = await stat(arg).catch(() => undefined);
    if (s?.isDirectory()) {
      const found = await tracesUnder(arg);
      if (found.length === 0) throw new UsageError(`${arg}: no trace in this directory (files named .arrow, .csv, .ndjson, .parquet, .log and so on, compressed or not)`);
      found.forEach(add);
    } else if (!s && isGlob(arg)) {
      const found = await expandGlob(arg);
      if (found.length === 0) throw new UsageError(`${arg}: no file matches this pattern`);
      found.forEach(add);
    } else {
      // A missing file is that trace's failure, reported in its row like any other.
      add(arg);
    }
  }
  return out;
}

/** The recognized files below `dir`, in name order, directory by directory. */
async function tracesUnder(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tracesUnder(path)));
    else if (e.isFile() && recognizes(e.name)) out.push(path);
  }
  return out;
}
