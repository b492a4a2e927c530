import { describe, expect, it } from 'vitest';
import { LAB_DEFAULTS, LAB_MODES, median, runLab } from '../../src/lab/lab.js';
import { renderLab } from '../../src/cli/terminal/lab.js';
import { plain } from '../../src/cli/terminal/style.js';
import { UsageError } from '../../src/errors.js';
import { nativeSkipReason } from '../capture/native/availability.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});

describe.skipIf(nativeSkipReason !== undefined)('blocktime lab (userfaultfd)', () => {
  it('runs every mode of a one-cell matrix, and the locking design equals its replay', async () => {
    const result = await runLab({ ...LAB_DEFAULTS, vcpus: [2], resolvers: [1], latencyNs: [50_000], durationNs: 250e6, repeat: 1, memoryBytes: 16 * 2 ** 20 });
    expect(result.cells).toHaveLength(1);
    const cell = result.cells[0]!;
    expect(cell.locking_equal).toBe(1);
    for (const mode of LAB_MODES) {
      const run = cell.runs[mode][0]!;
      expect(run.mode).toBe(mode);
      expect(run.round_trip.count).toBeGreaterThan(0);
      expect(run.round_trip.p99_ns).toBeGreaterThanOrEqual(run.round_trip.p50_ns);
      expect(run.lock.fault.acquisitions).toBe(run.events.fault);
      expect(run.lock.resolve.acquisitions).toBe(run.events.resolve);
      expect(run.accuracy === null).toBe(mode === 'off');
    }
    const text = renderLab(result, plain);
    expect(text).toMatch(/locking design live = replay in 1 of 1 runs/);
    for (const mode of LAB_MODES) expect(text).toContain(mode);
  });

  it('rejects a matrix it cannot run', async () => {
    await expect(runLab({ ...LAB_DEFAULTS, repeat: 0 })).rejects.toBeInstanceOf(UsageError);
    await expect(runLab({ ...LAB_DEFAULTS, vcpus: [0] })).rejects.toBeInstanceOf(UsageError);
  });
});
