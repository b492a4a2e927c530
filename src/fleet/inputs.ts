/**
 * The traces a fleet command reads, from what the user named: paths as they
 * are, directories walked recursively, and glob patterns the shell left
 * unexpanded (quoted) expanded here. In a directory a file is a trace when
 * the format registry recognizes its name (compression endings aside:
 * `x.csv.zst` is CSV) or, for a name with no ending at all (`capture-1`),
 * its first bytes; a file with another ending is not one, whatever it holds
 * (a `.json` of expected figures looks like NDJSON to the sniffer), and
 * hidden entries (.git, a half-written .name.tmp) are a tool's own. The
 * list is in the order given, each directory's and pattern's files in name
 * order, without repeats.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { withoutCompressionExtension } from '../formats/compression.js';
import { MAGIC_HEAD_BYTES, SNIFF_BYTES, recognizes, sniffFormat } from '../formats/registry.js';
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

export interface ExpandOptions {
  /** Whether `-` (stdin) may be one of the traces (`query` reads it once, into its database). */
  stdin?: boolean;
}

/** The trace files the arguments name. A directory or pattern with no trace in it is a usage error. */
export async function expandInputs(args: readonly string[], opts: ExpandOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push(path);
  };
  for (const arg of args) {
    if (arg === '-') {
      if (!opts.stdin) throw new UsageError('-: stdin is one trace; name files, directories or patterns for several');
      add(arg);
      continue;
    }
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
      // A missing file is that trace's failure, reported where its reader fails.
      add(arg);
    }
  }
  return out;
}

export interface TraceInputs {
  files: string[];
  /** Whether an argument was a directory or a pattern: the fleet form then, even for one file. */
  directories: boolean;
}

/** `expandInputs`, saying whether any argument stood for several files. */
export async function expandTraceInputs(args: readonly string[], opts: ExpandOptions = {}): Promise<TraceInputs> {
  let directories = false;
  for (const arg of args) if (arg !== '-' && (await namesFleet([arg]))) directories = true;
  return { files: await expandInputs(args, opts), directories };
}

/** The traces below `dir`, in name order, directory by directory. */
async function tracesUnder(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tracesUnder(path)));
    else if (e.isFile() && (recognizes(e.name) || (!hasEnding(e.name) && (await sniffed(path))))) out.push(path);
  }
  return out;
}

/** A name ending in `.something`, compression endings aside. */
function hasEnding(name: string): boolean {
  return /\.[^.]+$/.test(withoutCompressionExtension(name.toLowerCase()));
}

async function sniffed(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(Math.max(SNIFF_BYTES, MAGIC_HEAD_BYTES));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead > 0 && sniffFormat(head.subarray(0, bytesRead)) !== undefined;
  } finally {
    await fh.close();
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
