import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateToWriter } from '../../../src/capture/sim/capture.js';
import { SAMPLE_REQUEST } from '../../../src/capture/sim/sample.js';
import { createTraceWriter } from '../../../src/formats/write.js';

describe('fixtures/sample.arrow', () => {
  it('is exactly what the simulator writes for SAMPLE_REQUEST (else: npm run build && node scripts/make-sample.mjs)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blocktime-sample-'));
    try {
      const path = join(dir, 'sample.arrow');
      const { stats } = await simulateToWriter(SAMPLE_REQUEST, (meta, batchRows) => createTraceWriter(path, meta, { batchRows }));
      const committed = await readFile(new URL('../../../fixtures/sample.arrow', import.meta.url));
      expect((await readFile(path)).equals(committed)).toBe(true);
      // What the README promises of it.
      expect(stats.vcpuFaults + stats.nonVcpuFaults + stats.tid0Faults).toBe(3000);
      for (const k of ['reentrant', 'lateResolves', 'nonVcpuFaults', 'tid0Faults', 'duplicates', 'receivedFaults', 'backgroundPlacements'] as const) expect(stats[k], k).toBeGreaterThan(0);
      expect(committed.byteLength).toBeLessThan(300 * 1024);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
