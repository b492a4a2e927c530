import { describe, it, expect } from 'vitest';
import { parseTolerance } from '../../../src/cli/options/expect-options.js';

describe('--expect options', () => {
  it('--tolerance takes a percentage or 0', () => {
    expect(parseTolerance('1%')).toBe(0.01);
    expect(parseTolerance('0.5%')).toBe(0.005);
    expect(parseTolerance('0')).toBe(0);
    expect(parseTolerance('exact')).toBe(0);
    expect(() => parseTolerance('3')).toThrow(/--tolerance: expected a percentage/);
  });
});
