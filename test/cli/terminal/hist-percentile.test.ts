import { describe, it, expect } from 'vitest';
import { HIST_CAP_NS } from '../../../src/capture/native/addon.js';
import { formatHistPercentile } from '../../../src/cli/terminal/hist-percentile.js';
import { formatDuration } from '../../../src/units.js';

describe('formatHistPercentile', () => {
  it('shows a percentile inside the histogram as a duration', () => {
    expect(formatHistPercentile(1500)).toBe(formatDuration(1500));
    expect(formatHistPercentile(HIST_CAP_NS - 1)).toBe(formatDuration(HIST_CAP_NS - 1));
  });

  it("shows one in the last bucket as a lower bound: the bucket holds all beyond the histogram's end", () => {
    expect(formatHistPercentile(HIST_CAP_NS)).toBe(`>= ${formatDuration(HIST_CAP_NS)}`);
    expect(formatHistPercentile(1e9)).toBe(`>= ${formatDuration(HIST_CAP_NS)}`);
  });
});
