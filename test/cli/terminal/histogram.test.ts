import { describe, it, expect } from 'vitest';
import { renderHistogram } from '../../../src/cli/terminal/histogram.js';
import { plain } from '../../../src/cli/terminal/style.js';

describe('renderHistogram', () => {
  const buckets = new Array<number>(24).fill(0);
  buckets[13] = 2;
  buckets[15] = 1;

  it('shows the buckets from the first to the last non-empty one, inner gaps included', () => {
    const lines = renderHistogram(buckets, plain, 8);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\s+\[8 ms, 16 ms\) +█{8} +2 +66\.7%$/);
    expect(lines[1]).toMatch(/^\s+\[16 ms, 32 ms\) +0 +0\.0%$/);
    expect(lines[2]).toMatch(/^\s+\[32 ms, 64 ms\) +█{4} +1 +33\.3%$/);
  });

  it('keeps a sliver for a bucket far smaller than the largest', () => {
    const b = new Array<number>(24).fill(0);
    b[0] = 1_000_000;
    b[1] = 1;
    expect(renderHistogram(b, plain, 10)[1]).toContain('▏');
  });

  it('is empty when nothing was resolved', () => {
    expect(renderHistogram(new Array<number>(24).fill(0), plain)).toEqual([]);
  });
});
