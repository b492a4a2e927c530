import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateToWriter } from '../../../src/capture/sim/capture.js';
import { ExitCode } from '../../../src/errors.js';
import { createTraceWriter } from '../../../src/formats/write.js';

describe('simulateToWriter', () => {
  it('an interrupted capture throws (exit 130) and leaves no file, not even a temporary one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blocktime-sim-abort-'));
    try {
      const controller = new AbortController();
      let batches = 0;
      const run = simulateToWriter({ options: { faults: 5000, batchRows: 1000 } }, (meta, batchRows) => createTraceWriter(join(dir, 't.arrow'), meta, { batchRows }), {
        signal: controller.signal,
        onProgress: () => {
          if (++batches === 3) controller.abort();
        },
      });
      await expect(run).rejects.toMatchObject({ exitCode: ExitCode.interrupted, message: expect.stringMatching(/interrupted; no trace written/) });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('summarizes the options used (scenario under the caller\'s) and what was produced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blocktime-sim-sum-'));
    try {
      const s = await simulateToWriter({ options: { faults: 200, reentrant: 0.1 }, scenario: 'late-resolve' }, (meta) => createTraceWriter(join(dir, 't.ndjson'), meta));
      expect(s.scenario).toBe('late-resolve');
      expect(s.options).toMatchObject({ reentrant: 0.1, lateResolve: 1, duplicate: 0, faults: 200 });
      expect(s.stats.vcpuFaults + s.stats.nonVcpuFaults + s.stats.tid0Faults).toBe(200);
      expect(await readdir(dir)).toEqual(['t.ndjson']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
