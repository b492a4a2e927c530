import { describe, expect, it } from 'vitest';
import { nativeOptionsFromFlags, parseList } from '../../../src/cli/options/native-flags.js';
import { NATIVE_DEFAULTS, validateNativeOptions } from '../../../src/capture/native/options.js';
import { UsageError } from '../../../src/errors.js';
import { parseCount } from '../../../src/units.js';
import { simRequestFromFlags } from '../../../src/cli/capture.js';

describe('capture --native flags', () => {
  it('a bare --memory is the same number of 4 KiB pages with --sim and --native', () => {
    for (const memory of ['1000', ' 64 ']) {
      expect(nativeOptionsFromFlags({ memory }).memoryBytes).toBe(Number(memory) * 4096);
      expect(simRequestFromFlags({ memory }).options.memoryBytes).toBe(Number(memory) * 4096);
    }
    expect(nativeOptionsFromFlags({ memory: '2M' }).memoryBytes).toBe(simRequestFromFlags({ memory: '2M' }).options.memoryBytes);
  });

  it('takes the defaults for what is not given', () => {
    expect(nativeOptionsFromFlags({})).toEqual(NATIVE_DEFAULTS);
  });

  it('reads values as the simulator does: bare --memory is pages, bare --duration is seconds', () => {
    const o = nativeOptionsFromFlags({ memory: '1000', duration: '1.5', latency: '50us', bandwidth: '1G/s', think: '0ns', vcpus: '8', resolvers: '3', pattern: 'hotset', seed: '7' });
    expect(o).toEqual({ ...NATIVE_DEFAULTS, memoryBytes: 1000 * 4096, durationNs: 1.5e9, latencyNs: 50_000, bandwidth: 2 ** 30, thinkNs: 0, vcpus: 8, resolvers: 3, pattern: 'hotset', seed: 7 });
    expect(nativeOptionsFromFlags({ memory: '64M' }).memoryBytes).toBe(64 * 2 ** 20);
  });

  it('names the flag in every rejection', () => {
    expect(() => nativeOptionsFromFlags({ pattern: 'zigzag' })).toThrow(/^--pattern: invalid value 'zigzag'/);
    expect(() => nativeOptionsFromFlags({ latency: '200' })).toThrow(UsageError);
    expect(() => validateNativeOptions({ ...NATIVE_DEFAULTS, memoryBytes: 5000 })).toThrow(/^--memory: 5000: expected a multiple of 4096/);
    expect(() => validateNativeOptions({ ...NATIVE_DEFAULTS, vcpus: 1000 })).toThrow(/^--vcpus: /);
  });

  it('reads comma lists for the lab matrix', () => {
    const n = (o: string, t: string): number => parseCount(o, t, 1);
    expect(parseList('--vcpus', '1,2, 4', n)).toEqual([1, 2, 4]);
    expect(() => parseList('--vcpus', '1,,4', n)).toThrow(/^--vcpus: invalid list '1,,4'/);
  });
});
