import { describe, expect, it } from 'vitest';
import { flattenRow, tableRows } from '../../src/fleet/rows.js';

describe('flattenRow', () => {
  it('names each scalar by its path with underscores and keeps lists as lists', () => {
    expect(flattenRow({ trace: 't', a: { b: 1, 'c-d': { e: null } }, l: [1, 2], o: [{ x: 1 }] })).toEqual({ trace: 't', a_b: 1, a_c_d_e: null, l: [1, 2], o: [{ x: 1 }] });
  });
});

describe('tableRows', () => {
  it('gives every row the same columns, trace and error first, nulls where a failed row has nothing', () => {
    const t = tableRows([
      { trace: 'bad', trace_meta: null, error: 'bad: row 2: expected a number' },
      { trace: 'good', trace_meta: { vcpus: 2 }, total: 5, list: [1] },
    ]);
    expect(t.columns).toEqual(['trace', 'error', 'trace_meta_vcpus', 'total', 'list']);
    expect(t.rows).toEqual([
      { trace: 'bad', error: 'bad: row 2: expected a number', trace_meta_vcpus: null, total: null, list: null },
      { trace: 'good', error: null, trace_meta_vcpus: 2, total: 5, list: [1] },
    ]);
  });
});
