import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseExpected } from '../../src/check/expected.js';

const FIX = new URL('../../fixtures/qemu/', import.meta.url).pathname;
const DIST = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0];

describe("QEMU's reported figures", () => {
  it('QMP with and without the return wrapper, and a transcript whose last reply holds them', () => {
    const wrapped = parseExpected(readFileSync(FIX + 'example1-11.1.qmp.json', 'utf8'), 'a.json');
    expect(wrapped).toMatchObject({ form: 'qmp', status: 'completed' });
    expect(wrapped.figures).toEqual({
      'postcopy-blocktime': 10,
      'postcopy-vcpu-blocktime': [50, 40, 30],
      'postcopy-latency': 30000000,
      'postcopy-vcpu-latency': [25000000, 40000000, 30000000],
      'postcopy-non-vcpu-latency': 0,
      'postcopy-latency-dist': DIST,
    });
    expect(parseExpected('{"postcopy-blocktime": 64602, "postcopy-vcpu-blocktime": [62271, 64233]}', 'b').figures).toEqual({
      'postcopy-blocktime': 64602,
      'postcopy-vcpu-blocktime': [62271, 64233],
    });
    const transcript = ['{"QMP": {"version": {}}}', '{"return": {}}', '{"return": {"status": "completed", "postcopy-blocktime": 5, "postcopy-vcpu-blocktime": [5]}}'].join('\n');
    expect(parseExpected(transcript, 'c').figures['postcopy-blocktime']).toBe(5);
  });

  it('HMP info migrate of QEMU 10.1+: wrapped lists and the 24-row distribution', () => {
    const r = parseExpected(readFileSync(FIX + 'example1-11.1.hmp.txt', 'utf8'), 'x.txt');
    expect(r.form).toBe('hmp');
    expect(r.figures).toEqual(parseExpected(readFileSync(FIX + 'example1-11.1.qmp.json', 'utf8'), 'y').figures);
    const eleven = Array.from({ length: 11 }, (_, i) => 100 + i);
    const wrapped = `Postcopy Blocktime (ms): 84549\nPostcopy vCPU Blocktime (ms):\n [${eleven.slice(0, 10).join(', ')},\n  ${eleven[10]}]\n`;
    expect(parseExpected(wrapped, 'z').figures['postcopy-vcpu-blocktime']).toEqual(eleven);
  });

  it('HMP of QEMU <= 10.0: lower-case labels, the string visitor list with ranges', () => {
    expect(parseExpected(readFileSync(FIX + 'example1-7.2.hmp.txt', 'utf8'), 'h').figures).toEqual({ 'postcopy-blocktime': 10, 'postcopy-vcpu-blocktime': [50, 40, 30] });
    expect(parseExpected('Postcopy Blocktime (ms): 7\nPostcopy vCPU Blocktime: 1-3,9\n', 'h').figures['postcopy-vcpu-blocktime']).toEqual([1, 2, 3, 9]);
  });

  it('rejects results without figures, and bad values, naming the file', () => {
    expect(() => parseExpected('Migration status: completed\n', 'r.txt')).toThrow(/r\.txt: no postcopy blocktime figures found/);
    expect(() => parseExpected('{"postcopy-blocktime": -1}', 'r.json')).toThrow(/r\.json: "postcopy-blocktime": expected a non-negative integer/);
    expect(() => parseExpected('Postcopy Latency Distribution:\n  [ 1 us - 2 us ]: 0\n', 'd.txt')).toThrow(/d\.txt: line 3: expected 24 rows/);
    expect(() => parseExpected('Postcopy vCPU Blocktime (ms):\n [1, 2\n', 'w.txt')).toThrow(/w\.txt: line 1: .*no closing \]/);
  });
});
