/**
 * The trace files a fleet command's arguments stand for: a file as it is
 * (the reader says what is wrong with it), a directory as every file under
 * it, recursively, whose format the registry recognizes by its name
 * (compression endings aside: `x.csv.zst` is CSV) or, for a name with no
 * ending at all (`capture-1`), by its first bytes. A file with another
 * ending is not a trace, whatever it holds: a `.json` of expected figures
 * looks like NDJSON to the sniffer.
 * Files come in argument order, a directory's in name order, each once.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { withoutCompressionExtension } from '../formats/compression.js';
import { MAGIC_HEAD_BYTES, SNIFF_BYTES, formatFromPath, sniffFormat } from '../formats/registry.js';

export interface TraceInputs {
  files: string[];
  /** Whether an argument was a directory: the fleet form then, even for one file. */
  directories: boolean;
}

export async function expandTraceInputs(args: readonly string[]): Promise<TraceInputs> {
  const files: string[] = [];
  const seen = new Set<string>();
  let directories = false;
  const add = (file: string): void => {
    if (!seen.has(file)) files.push(file), seen.add(file);
  };
  for (const arg of args) {
    if (arg !== '-' && (await isDirectory(arg))) {
      directories = true;
      const found = await tracesUnder(arg);
      if (found.length === 0) throw new InputError({ file: arg }, 'a directory holding no trace file (by name or by content)');
      found.forEach(add);
    } else add(arg);
  }
  return { files, directories };
}

async function tracesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden entries are a tool's own (.git, a half-written .name.tmp), not traces.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await tracesUnder(path)));
    else if (entry.isFile() && (formatFromPath(path) !== undefined || (!hasEnding(entry.name) && (await sniffedFormat(path))))) out.push(path);
  }
  return out;
}

/** A name ending in `.something`, compression endings aside. */
function hasEnding(name: string): boolean {
  return /\.[^.]+$/.test(withoutCompressionExtension(name.toLowerCase()));
}

async function sniffedFormat(path: string): Promise<boolean> {
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
