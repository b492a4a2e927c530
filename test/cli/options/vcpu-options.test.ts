import { Command } from 'commander';
import { describe, it, expect } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { addVcpuOptions, parseIdList, parseSortKey } from '../../../src/cli/options/vcpu-options.js';

describe('parseIdList', () => {
  it('reads numbers and inclusive ranges, ascending without duplicates', () => {
    expect(parseIdList('--cpu', '0,3,8-15')).toEqual([0, 3, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(parseIdList('--cpu', ' 5 , 2-3,3 ')).toEqual([2, 3, 5]);
    expect(parseIdList('--tid', '4294967295')).toEqual([4294967295]);
  });

  it('refuses a bad list with one line naming the flag, the list and the expected form', () => {
    for (const bad of ['', '1,,2', 'x', '3-1', '-1', '1.5', '0-2000000', '4294967296', '1-2-3']) {
      expect(() => parseIdList('--cpu', bad), bad).toThrow(UsageError);
      try {
        parseIdList('--cpu', bad);
      } catch (err) {
        expect((err as Error).message).toMatch(new RegExp(`^--cpu: invalid list '${bad.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}': .*; expected a list like 0,3,8-15`));
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('parseSortKey', () => {
  it('takes blocktime, faults, latency or cpu', () => {
    expect(parseSortKey('latency')).toBe('latency');
    expect(() => parseSortKey('time')).toThrow("--sort: invalid value 'time': expected one of blocktime, faults, latency, cpu");
  });
});

describe('addVcpuOptions', () => {
  it('adds --cpu, --tid, --sort (with its choices listed), --top and --all, parsed', () => {
    const cmd = addVcpuOptions(new Command('x').exitOverride());
    cmd.parse(['--cpu', '1-2', '--tid', '7', '--sort', 'faults', '--top', '3'], { from: 'user' });
    expect(cmd.opts()).toEqual({ cpu: [1, 2], tid: [7], sort: 'faults', top: 3 });
    expect(cmd.options.find((o) => o.long === '--sort')?.argChoices).toEqual(['blocktime', 'faults', 'latency', 'cpu']);
  });
});
