/**
 * A small fleet on disk for the fleet tests: simulated traces in several
 * formats and vCPU counts, one gzip-compressed, a zstd QEMU log from
 * fixtures/, a trace that fails in the middle of the names, and files that
 * are not traces (which a directory walk must skip).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveSimOptions, type SimOptions } from '../../src/capture/sim/options.js';
import { Simulator } from '../../src/capture/sim/simulator.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { ROOT } from '../cli/run.js';

export async function writeSim(path: string, options: Partial<SimOptions>): Promise<void> {
  const sim = new Simulator(resolveSimOptions({ bandwidth: 2 ** 20, ...options }));
  const writer = await createTraceWriter(path, sim.meta);
  for (const batch of sim.batches()) await writer.write(batch);
  await writer.close();
}

export interface TestFleet {
  dir: string;
  /** The traces a walk of `dir` finds, in its order. */
  traces: string[];
  /** The one that fails. */
  bad: string;
}

export async function makeFleet(dir: string): Promise<TestFleet> {
  mkdirSync(join(dir, 'b-sub'), { recursive: true });
  const a = join(dir, 'a-seed1.arrow');
  await writeSim(a, { seed: 1, vcpus: 4, faults: 1500 });
  const csv = join(dir, 'b-sub', 'c-seed2.csv');
  await writeSim(csv, { seed: 2, vcpus: 2, faults: 1200, reentrant: 0.3 });
  const gz = csv + '.gz';
  writeFileSync(gz, gzipSync(readFileSync(csv)));
  // Only the compressed copy stays: the walk must know it by the name under the .gz.
  rmSync(csv);
  const bad = join(dir, 'b-sub', 'd-bad.csv');
  copyFileSync(join(ROOT, 'fixtures/bad/truncated.csv'), bad);
  const log = join(dir, 'b-sub', 'e-example3-11.1.log.zst');
  copyFileSync(join(ROOT, 'fixtures/qemu/example3-11.1.log.zst'), log);
  const nd = join(dir, 'f-seed3.ndjson');
  await writeSim(nd, { seed: 3, vcpus: 8, faults: 2000, lateResolve: 0.2 });
  writeFileSync(join(dir, 'README.md'), 'not a trace\n');
  writeFileSync(join(dir, 'b-sub', 'notes.txt'), 'not a trace either\n');
  return { dir, traces: [a, gz, bad, log, nd], bad };
}
