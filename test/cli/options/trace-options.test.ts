import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { blocktime } from '../run.js';
import { parseInputFormat, parseOutputFormat, parsePageSize, parsePositiveInt, parseVariant, parseVcpus } from '../../../src/cli/options/trace-options.js';

describe('trace option parsers', () => {
  it('parses vCPU counts and rejects anything but a positive whole number, naming the flag', () => {
    expect(parseVcpus('512')).toBe(512);
    for (const bad of ['0', '-1', '1.5', 'x', '']) {
      expect(() => parseVcpus(bad)).toThrow(UsageError);
    }
    expect(() => parsePositiveInt('--top', 'x')).toThrow("--top: invalid value 'x': expected a whole number >= 1 like 5000, 2k or 50M");
  });

  it('parses page sizes with binary units and requires a power of two', () => {
    expect(parsePageSize('4096')).toBe(4096);
    expect(parsePageSize('4k')).toBe(4096);
    expect(parsePageSize('2M')).toBe(2 * 1024 * 1024);
    expect(parsePageSize('1GiB')).toBe(1024 ** 3);
    expect(() => parsePageSize('3000')).toThrow("--page-size: invalid value '3000': expected a power of two like 4096, 4k or 2M");
    expect(() => parsePageSize('4q')).toThrow(UsageError);
  });

  it('parses formats and variants case-insensitively', () => {
    expect(parseInputFormat('CSV')).toBe('csv');
    expect(parseVariant('Exact')).toBe('exact');
    expect(() => parseInputFormat('xml')).toThrow("--input-format: invalid value 'xml': expected one of arrow, arrows, csv, ndjson, parquet, qemu-log");
    expect(() => parseInputFormat('xml', '--format')).toThrow("--format: invalid value 'xml': expected one of arrow, arrows, csv, ndjson, parquet, qemu-log");
    expect(parseOutputFormat('NDJSON')).toBe('ndjson');
    expect(() => parseOutputFormat('qemu-log')).toThrow("--output-format: invalid value 'qemu-log': expected one of arrow, arrows, csv, ndjson");
    expect(() => parseVariant('lockfree')).toThrow("--variant: invalid value 'lockfree': expected mutex, exact or atomic");
  });
});

describe('format option names, the same in every command', () => {
  const EX1 = 'fixtures/examples/example1.csv';

  it('--help shows --input-format where a trace is read and --output-format where one is written, not the older spellings', async () => {
    const reads = ['analyze', 'compare', 'convert', 'export', 'report', 'query'];
    const writes = ['capture', 'convert', 'import qemu-log'];
    for (const cmd of new Set([...reads, ...writes])) {
      const help = (await blocktime([...cmd.split(' '), '--help'])).stdout;
      expect([cmd, help.includes('--input-format <format>')]).toEqual([cmd, reads.includes(cmd)]);
      expect([cmd, help.includes('--output-format <format>')]).toEqual([cmd, writes.includes(cmd)]);
      expect([cmd, help.includes('--to <')]).toEqual([cmd, false]);
      // query's --format is what it prints; nowhere else is there a --format.
      expect([cmd, help.includes('--format <format>')]).toEqual([cmd, cmd === 'query']);
    }
  });

  it('the older spellings still work: --format for the input format, capture --format and convert --to for the output format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blocktime-options-'));
    try {
      const analyzed = await blocktime(['analyze', EX1, '--input-format', 'csv', '--json']);
      for (const cmd of ['analyze', 'compare']) {
        const r = await blocktime([cmd, EX1, '--format', 'csv', '--json']);
        expect(r.code).toBe(0);
        if (cmd === 'analyze') expect(r.stdout).toBe(analyzed.stdout);
      }
      const renamed = join(dir, 'example1.trace');
      copyFileSync(EX1, renamed);
      for (const [flag, out] of [
        ['--output-format', join(dir, 'new.out')],
        ['--to', join(dir, 'old.out')],
      ] as const) {
        const r = await blocktime(['convert', renamed, out, '--format', 'csv', flag, 'ndjson']);
        expect(r.code).toBe(0);
      }
      expect(readFileSync(join(dir, 'old.out'), 'utf8')).toBe(readFileSync(join(dir, 'new.out'), 'utf8'));
      // NDJSON: the metadata line, then the rows.
      expect(readFileSync(join(dir, 'new.out'), 'utf8')).toMatch(/^\{"blocktime\.page_size":4096\}\n\{"t_ns":/);
      for (const flag of ['--output-format', '--format']) {
        const out = join(dir, `capture${flag}.out`);
        const r = await blocktime(['capture', '--sim', '--faults', '200', '-o', out, flag, 'csv']);
        expect(r.code).toBe(0);
        expect(readFileSync(out, 'utf8')).toMatch(/^# blocktime\./);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('both spellings at once must agree', async () => {
    const r = await blocktime(['analyze', EX1, '--format', 'csv', '--input-format', 'ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('blocktime: --format is the older spelling of --input-format: give one of them\n');
  });
});
