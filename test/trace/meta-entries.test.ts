import { describe, expect, it } from 'vitest';
import { metaFromEntries, metaToEntries } from '../../src/trace/meta-entries.js';

const place = { label: 'metadata', at: (key: string) => ({ file: 't', line: key.length }) };
const read = (entries: Record<string, string>) => metaFromEntries(new Map(Object.entries(entries)), place);

describe('trace metadata as key/value strings, the same in every format', () => {
  it('round-trips every field, at the limits', () => {
    const meta = { pageSize: 2 ** 52, vcpus: 65536, startNs: -(2n ** 63n), source: { kind: 'sim', note: 'ü' } };
    expect(metaFromEntries(metaToEntries(meta), place)).toEqual(meta);
    expect(read({})).toEqual({ pageSize: 4096 });
  });

  it.each([
    ['blocktime.page_size', '0', 'a power of two'],
    ['blocktime.page_size', '3000', 'a power of two'],
    ['blocktime.page_size', '9007199254740992', 'a power of two'],
    ['blocktime.vcpus', '0', 'a vCPU count from 1 to 65536'],
    ['blocktime.vcpus', '65537', 'a vCPU count from 1 to 65536'],
    ['blocktime.vcpus', '1000000000000000000000', 'a vCPU count from 1 to 65536'],
    ['blocktime.start_ns', '9223372036854775808', 'a signed 64-bit integer of nanoseconds'],
    ['blocktime.source', '[]', 'a JSON object'],
  ])('%s = %s is refused: expected %s, at the place of the key', (key, value, expected) => {
    expect(() => read({ [key]: value })).toThrow(`t: line ${key.length}: metadata ${key} is ${JSON.stringify(value)}, expected ${expected}`);
  });
});
