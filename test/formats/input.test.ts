/**
 * Compression and pipes are the same for every format: a gzip or zstd copy
 * of any trace, and a CSV or NDJSON trace on stdin, give exactly the
 * `analyze --json` of the plain file (the CLI as a user runs it).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, blocktime, runCommand } from '../cli/run.js';
import { scratchDir } from '../trace/helpers.js';
import { gzip, zstdStored } from './compress.js';

const dir = scratchDir();
const SAMPLE = join(ROOT, 'fixtures', 'sample.arrow');
const LOG = join(ROOT, 'fixtures', 'qemu', 'example3-11.1.log');

async function analyzeJson(args: string[]): Promise<unknown> {
  const r = await blocktime(['analyze', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** `blocktime analyze - ARGS --json` fed `file` on stdin, through `sh -c` as a user pipes it. */
async function analyzeStdin(file: string, args: string[]): Promise<unknown> {
  const r = await runCommand('sh', ['-c', `cat "${file}" | "${process.execPath}" "${BIN}" analyze - ${args.join(' ')} --json`]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** The sample in every format we write, and a QEMU log. */
async function plainFiles(): Promise<string[]> {
  const files = [join(dir, 's.arrow'), LOG];
  copyFileSync(SAMPLE, files[0]!);
  for (const ext of ['arrows', 'csv', 'ndjson']) {
    const out = join(dir, `s.${ext}`);
    const r = await blocktime(['convert', SAMPLE, out]);
    expect(r.code).toBe(0);
    files.push(out);
  }
  return files;
}

describe('compressed traces', () => {
  it('gzip and zstd of every format give the plain file\'s analyze --json, by name or by content', async () => {
    for (const plain of await plainFiles()) {
      const expected = await analyzeJson([plain]);
      const bytes = readFileSync(plain);
      const base = join(dir, plain.split('/').pop()!);
      const copies = [
        [`${base}.gz`, gzip(bytes)],
        [`${base}.zst`, zstdStored(bytes)],
        // A name that says nothing: the format is sniffed through the compression.
        [`${base}-anonymous`, zstdStored(bytes)],
      ] as const;
      for (const [path, data] of copies) {
        writeFileSync(path, data);
        expect([path, await analyzeJson([path])]).toEqual([path, expected]);
      }
    }
  });

  it('a zstd file as the zstd tool compresses it', async () => {
    expect(await analyzeJson([`${LOG}.zst`])).toEqual(await analyzeJson([LOG]));
  });

  it('cut-off compressed data is one line naming the file and the byte, exit 2', async () => {
    const csv = readFileSync(join(ROOT, 'fixtures', 'examples', 'example1.csv'));
    for (const [name, data] of [
      ['cut.csv.gz', gzip(csv).subarray(0, 40)],
      ['cut.csv.zst', zstdStored(csv).subarray(0, 40)],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, data);
      const r = await blocktime(['analyze', path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^blocktime: ${path}: byte \\d+: corrupt (gzip|zstd) data \\([^\\n]+\\)\\n$`));
    }
  });

  it('a compressed name is refused for output: traces are written plain', async () => {
    const r = await blocktime(['convert', SAMPLE, join(dir, 'out.csv.gz')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('traces are written uncompressed');
  });
});

describe('traces on stdin', () => {
  it('CSV and NDJSON, with the format named (either spelling) or sniffed, plain or compressed', async () => {
    const [, , , csv, ndjson] = await plainFiles();
    const expected = await analyzeJson([SAMPLE]);
    expect(await analyzeStdin(csv!, ['--input-format', 'csv'])).toEqual(expected);
    expect(await analyzeStdin(csv!, ['--format', 'csv'])).toEqual(expected);
    expect(await analyzeStdin(csv!, [])).toEqual(expected);
    expect(await analyzeStdin(ndjson!, ['--input-format', 'ndjson'])).toEqual(await analyzeJson([ndjson!]));
    const gz = join(dir, 'stdin.csv.gz');
    writeFileSync(gz, gzip(readFileSync(csv!)));
    expect(await analyzeStdin(gz, [])).toEqual(expected);
  });

  it('a QEMU log is read twice, so not from a pipe: one line, exit 2', async () => {
    const r = await runCommand('sh', ['-c', `cat "${LOG}" | "${process.execPath}" "${BIN}" analyze -`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('blocktime: stdin: a QEMU log is read twice (its vCPUs and clock first, then its rows); give a file, not a pipe\n');
  });
});
