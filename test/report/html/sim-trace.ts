import { join } from 'node:path';
import { resolveSimOptions, type SimOptions } from '../../../src/capture/sim/options.js';
import { Simulator } from '../../../src/capture/sim/simulator.js';
import { createTraceWriter } from '../../../src/formats/write.js';
import { testDir } from '../../tmp.js';

/** A simulated trace with every irregularity the simulator knows, written as Arrow to a directory removed when the calling test ends. */
export async function simTrace(name: string, options: Partial<SimOptions>): Promise<string> {
  const dir = testDir('blocktime-report-test-');
  const path = join(dir, `${name}.arrow`);
  const sim = new Simulator(resolveSimOptions({ seed: 7, bandwidth: 2 ** 20, ...options }));
  const writer = await createTraceWriter(path, sim.meta);
  for (const batch of sim.batches()) await writer.write(batch);
  await writer.close();
  return path;
}
