import { describe, it, expect } from 'vitest';
import { bucketLabel } from '../../src/report/histogram.js';

describe('bucketLabel', () => {
  it('names the power-of-two bounds of QEMU buckets', () => {
    expect(bucketLabel(0, 24)).toBe('[0, 2 us)');
    expect(bucketLabel(1, 24)).toBe('[2 us, 4 us)');
    expect(bucketLabel(9, 24)).toBe('[512 us, 1 ms)');
    expect(bucketLabel(10, 24)).toBe('[1 ms, 2 ms)');
    expect(bucketLabel(19, 24)).toBe('[512 ms, 1 s)');
    expect(bucketLabel(22, 24)).toBe('[4 s, 8 s)');
    expect(bucketLabel(23, 24)).toBe('[8 s, ∞)');
  });
});
