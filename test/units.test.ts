import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatDurationCompact,
  formatEta,
  formatDurationDelta,
  formatPercent,
  formatRate,
  formatSizeCompact,
  parseCount,
  parseDuration,
  parseFraction,
  parseNumber,
  parseRate,
  parseSize,
} from '../src/units.js';

function rejects(fn: () => unknown, option: string, expected: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  const message = (err as Error).message;
  expect(message.startsWith(`${option}: invalid value`)).toBe(true);
  expect(message).toMatch(expected);
  expect((err as UsageError).exitCode).toBe(2);
}

describe('unit parsers', () => {
  it('durations: ns, us, µs, ms, s, m, h; a bare number only where a unit is implied', () => {
    expect(parseDuration('--latency', '250ns')).toBe(250);
    expect(parseDuration('--latency', '200us')).toBe(200_000);
    expect(parseDuration('--latency', '200µs')).toBe(200_000);
    expect(parseDuration('--latency', '2ms')).toBe(2_000_000);
    expect(parseDuration('--latency', '1.5s')).toBe(1_500_000_000);
    expect(parseDuration('--latency', '2m')).toBe(120e9);
    expect(parseDuration('--latency', '1h')).toBe(3600e9);
    expect(parseDuration('--latency', '1e3us')).toBe(1_000_000);
    expect(parseDuration('--duration', '2', 's')).toBe(2e9);
    rejects(() => parseDuration('--latency', '200'), '--latency', /expected a duration like 200us/);
    rejects(() => parseDuration('--latency', '2 fortnights'), '--latency', /200us/);
    rejects(() => parseDuration('--latency', '-1ms'), '--latency', /200us/);
    rejects(() => parseDuration('--latency', '1.5ns'), '--latency', /whole number of nanoseconds/);
    rejects(() => parseDuration('--latency', ''), '--latency', /200us/);
  });

  it('sizes: powers of 1024 with or without B or iB, bare bytes', () => {
    expect(parseSize('--memory', '4096')).toBe(4096);
    expect(parseSize('--memory', '4k')).toBe(4096);
    expect(parseSize('--memory', '512M')).toBe(512 * 2 ** 20);
    expect(parseSize('--memory', '4G')).toBe(4 * 2 ** 30);
    expect(parseSize('--memory', '4GB')).toBe(4 * 2 ** 30);
    expect(parseSize('--memory', '4GiB')).toBe(4 * 2 ** 30);
    expect(parseSize('--memory', '1.5T')).toBe(1.5 * 2 ** 40);
    expect(parseSize('--memory', '100b')).toBe(100);
    rejects(() => parseSize('--memory', '4Q'), '--memory', /expected a size like 4096, 512M, 4G/);
    rejects(() => parseSize('--memory', '0.5'), '--memory', /whole number of bytes/);
    rejects(() => parseSize('--memory', 'iB'), '--memory', /size/);
  });

  it('rates: a size per second, or 0', () => {
    expect(parseRate('--bandwidth', '100MB/s')).toBe(100 * 2 ** 20);
    expect(parseRate('--bandwidth', '1G/s')).toBe(2 ** 30);
    expect(parseRate('--bandwidth', '512 KiB / s')).toBe(512 * 1024);
    expect(parseRate('--bandwidth', '0')).toBe(0);
    rejects(() => parseRate('--bandwidth', '100M'), '--bandwidth', /expected a rate like 100MB\/s/);
    rejects(() => parseRate('--bandwidth', 'fast/s'), '--bandwidth', /rate/);
  });

  it('counts: whole numbers with k, M, G (powers of 1000) and a minimum', () => {
    expect(parseCount('--faults', '5000')).toBe(5000);
    expect(parseCount('--faults', '2k')).toBe(2000);
    expect(parseCount('--faults', '50M')).toBe(50_000_000);
    expect(parseCount('--faults', '1e6')).toBe(1_000_000);
    expect(parseCount('--faults', '1.5k')).toBe(1500);
    rejects(() => parseCount('--vcpus', '0', 1), '--vcpus', />= 1/);
    rejects(() => parseCount('--faults', '2.5'), '--faults', /whole number/);
    rejects(() => parseCount('--faults', '-3'), '--faults', /whole number/);
    rejects(() => parseCount('--faults', 'many'), '--faults', /whole number/);
  });

  it('fractions: 0..1 or a percentage', () => {
    expect(parseFraction('--reentrant', '0.3')).toBe(0.3);
    expect(parseFraction('--reentrant', '.05')).toBe(0.05);
    expect(parseFraction('--reentrant', '30%')).toBeCloseTo(0.3, 12);
    expect(parseFraction('--reentrant', '1')).toBe(1);
    rejects(() => parseFraction('--reentrant', '1.5'), '--reentrant', /between 0 and 1/);
    rejects(() => parseFraction('--reentrant', '150%'), '--reentrant', /between 0 and 1/);
    rejects(() => parseFraction('--reentrant', 'half'), '--reentrant', /fraction/);
  });

  it('plain numbers', () => {
    expect(parseNumber('--latency-spread', '0.5')).toBe(0.5);
    rejects(() => parseNumber('--latency-spread', '0.5s'), '--latency-spread', /a number >= 0/);
  });

  it('formatters print what the parsers read back', () => {
    for (const ns of [200_000, 1_500_000_000, 2_000_000, 250]) expect(parseDuration('--x', formatDurationCompact(ns))).toBe(ns);
    for (const b of [4 * 2 ** 30, 512 * 2 ** 20, 100 * 2 ** 20, 1536]) expect(parseSize('--x', formatSizeCompact(b))).toBe(b);
  });
});

describe('formatDuration', () => {
  it('takes the unit that fits, at most three decimals, trailing zeros dropped', () => {
    expect(formatDuration(0)).toBe('0 ns');
    expect(formatDuration(812)).toBe('812 ns');
    expect(formatDuration(3_402)).toBe('3.402 us');
    expect(formatDuration(812_000)).toBe('812 us');
    expect(formatDuration(1_500_000)).toBe('1.5 ms');
    expect(formatDuration(3_200_000)).toBe('3.2 ms');
    expect(formatDuration(2_031_000_000)).toBe('2.031 s');
    expect(formatDuration(60_172_000_000)).toBe('60.172 s');
  });
  it('rounds half away from zero, and a value that rounds to 1000 of a unit takes the next one', () => {
    expect(formatDuration(11_666_666)).toBe('11.667 ms');
    expect(formatDuration(1_234_499)).toBe('1.234 ms');
    expect(formatDuration(1_234_500)).toBe('1.235 ms');
    expect(formatDuration(-1_234_500)).toBe('-1.235 ms');
    expect(formatDuration(999_999)).toBe('999.999 us');
    expect(formatDuration(9_999_995)).toBe('10 ms');
    expect(formatDuration(999_999_500)).toBe('1 s');
    expect(formatDuration(999_999_499)).toBe('999.999 ms');
  });
  it('groups seconds by thousands', () => {
    expect(formatDuration(3_164_103_000_000)).toBe('3,164.103 s');
  });
  it('stays exact near 2^53 ns, where double division would round', () => {
    // 2^53 - 1 ns = 9007199.254740991 s
    expect(formatDuration(Number.MAX_SAFE_INTEGER)).toBe('9,007,199.255 s');
    expect(formatDuration(9_007_199_254_500_000)).toBe('9,007,199.255 s');
    expect(formatDuration(9_007_199_254_499_999)).toBe('9,007,199.254 s');
  });
  it('signs differences', () => {
    expect(formatDurationDelta(5_000_000)).toBe('+5 ms');
    expect(formatDurationDelta(-812_000)).toBe('-812 us');
    expect(formatDurationDelta(0)).toBe('0 ns');
  });
});

describe('other units', () => {
  it('groups counts by thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(20_000_000)).toBe('20,000,000');
    expect(formatCount(-1234)).toBe('-1,234');
  });
  it('formats percentages', () => {
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(2, 3)).toBe('66.7%');
    expect(formatPercent(-5_000_000, 20_000_000)).toBe('-25.0%');
    expect(formatPercent(0, 0)).toBe('0.0%');
    expect(formatPercent(5, 0)).toBe('-');
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
