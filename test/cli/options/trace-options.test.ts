import { describe, it, expect } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseFormat, parsePageSize, parsePositiveInt, parseVariant, parseVcpus } from '../../../src/cli/options/trace-options.js';

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
    expect(parseFormat('CSV')).toBe('csv');
    expect(parseVariant('Exact')).toBe('exact');
    expect(() => parseFormat('xml')).toThrow("--format: invalid value 'xml': expected one of arrow, arrows, csv, ndjson, parquet, qemu-log");
    expect(() => parseVariant('lockfree')).toThrow("--variant: invalid value 'lockfree': expected mutex, exact or atomic");
  });
});
