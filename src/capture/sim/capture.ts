/**
 * A simulated capture from start to file: resolve the options (a scenario's
 * preset under the caller's), run the simulator, stream its batches into a
 * writer, and summarize. The writer is aborted (its temporary file removed)
 * if anything fails, so no half-written trace is left under the final name.
 */
import { BlocktimeError, ExitCode } from '../../errors.js';
import type { TraceMeta } from '../../trace/schema.js';
import type { TraceWriter } from '../../trace/source.js';
import { resolveSimOptions, type SimOptions } from './options.js';
import { findScenario, type ScenarioName } from './scenarios.js';
import { Simulator, type SimStats } from './simulator.js';

export interface SimRequest {
  options: Partial<SimOptions>;
  scenario?: ScenarioName;
}

export interface SimCaptureSummary {
  scenario?: ScenarioName;
  options: SimOptions;
  stats: SimStats;
}

/** The simulator for a request: a scenario's options first, the caller's over them. */
export function createSimulator(request: SimRequest): Simulator {
  const scenario = request.scenario === undefined ? undefined : findScenario(request.scenario);
  return new Simulator(resolveSimOptions(request.options, scenario?.options), request.scenario);
}

export async function simulateToWriter(
  request: SimRequest,
  createWriter: (meta: TraceMeta, batchRows: number) => Promise<TraceWriter>,
  hooks: { onProgress?: (rows: number, simulatedNs: number) => void; signal?: AbortSignal } = {},
): Promise<SimCaptureSummary> {
  const sim = createSimulator(request);
  const writer = await createWriter(sim.meta, sim.options.batchRows);
  try {
    for (const batch of sim.batches(hooks.onProgress)) {
      // A simulated trace cut short would look complete: an interrupted capture writes nothing.
      if (hooks.signal?.aborted) throw new BlocktimeError('capture --sim: interrupted; no trace written', ExitCode.interrupted);
      await writer.write(batch);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { ...(request.scenario ? { scenario: request.scenario } : {}), options: sim.options, stats: sim.stats };
}
