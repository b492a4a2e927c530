/** Trace files for the fleet tests: fixtures of three formats, and simulated Arrow traces of several scenarios and vCPU counts. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { simulateToWriter } from '../../src/capture/sim/capture.js';
import type { ScenarioName } from '../../src/capture/sim/scenarios.js';
import { createTraceWriter } from '../../src/formats/write.js';

export async function writeFleet(dir: string): Promise<string[]> {
  mkdirSync(join(dir, 'qemu'), { recursive: true });
  const files: string[] = [];
  for (const name of ['example1.csv', 'example4.csv']) {
    copyFileSync(join('fixtures/examples', name), join(dir, name));
    files.push(join(dir, name));
  }
  copyFileSync('fixtures/qemu/example3-11.1.log.zst', join(dir, 'qemu', 'example3-11.1.log.zst'));
  files.push(join(dir, 'qemu', 'example3-11.1.log.zst'));
  const sims: Array<[ScenarioName | undefined, number, number]> = [
    [undefined, 3, 1],
    ['reentrant', 2, 2],
  ];
  for (const [scenario, vcpus, seed] of sims) {
    const path = join(dir, `sim-${scenario ?? 'default'}-${vcpus}v.arrow`);
    await simulateToWriter(
      { ...(scenario ? { scenario } : {}), options: { seed, vcpus, faults: 500, memoryBytes: 64 * 4096, batchRows: 128 } },
      (meta, batchRows) => createTraceWriter(path, meta, { batchRows }),
    );
    files.push(path);
  }
  return files.sort();
}
