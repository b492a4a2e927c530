import { describe, it, expect } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatEta, formatMs, formatMsDelta, formatPercent, formatRate } from '../../src/report/units.js';

describe('formatMs', () => {
  it('prints milliseconds with three decimals, rounded half away from zero', () => {
    expect(formatMs(0)).toBe('0.000');
    expect(formatMs(10_000_000)).toBe('10.000');
    expect(formatMs(11_666_666)).toBe('11.667');
    expect(formatMs(1_234_499)).toBe('1.234');
    expect(formatMs(1_234_500)).toBe('1.235');
    expect(formatMs(-1_234_500)).toBe('-1.235');
    expect(formatMs(-400)).toBe('0.000');
  });
  it('stays exact near 2^53 ns, where double division would round', () => {
    // 2^53 - 1 ns = 9007199254.740991 s
    expect(formatMs(Number.MAX_SAFE_INTEGER)).toBe('9007199254.741');
    expect(formatMs(9_007_199_254_740_500)).toBe('9007199254.741');
    expect(formatMs(9_007_199_254_740_000)).toBe('9007199254.740');
  });
});

describe('other units', () => {
  it('formats durations with a unit that fits', () => {
    expect(formatDuration(812)).toBe('812 ns');
    expect(formatDuration(3_402)).toBe('3.402 us');
    expect(formatDuration(1_500_000)).toBe('1.500 ms');
    expect(formatDuration(2_031_000_000)).toBe('2.031 s');
  });
  it('groups counts by thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(20_000_000)).toBe('20,000,000');
    expect(formatCount(-1234)).toBe('-1,234');
  });
  it('formats percentages and signed deltas', () => {
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(2, 3)).toBe('66.7%');
    expect(formatPercent(-5_000_000, 20_000_000)).toBe('-25.0%');
    expect(formatPercent(0, 0)).toBe('0.0%');
    expect(formatPercent(5, 0)).toBe('-');
    expect(formatMsDelta(5_000_000)).toBe('+5.000');
    expect(formatMsDelta(-5_000_000)).toBe('-5.000');
    expect(formatMsDelta(0)).toBe('0.000');
  });
  it('formats rates, bytes and ETAs', () => {
    expect(formatRate(15_234_567)).toBe('15.2M/s');
    expect(formatRate(2_500, 'rows')).toBe('2.5k rows/s');
    expect(formatRate(0)).toBe('-');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatEta(42)).toBe('42s');
    expect(formatEta(185)).toBe('3m05s');
    expect(formatEta(3720)).toBe('1h02m');
  });
});
