/**
 * What `analyze` and `compare` do around their core call: open the trace
 * with the command's options (the vCPU count and page size are applied
 * there, to the source's metadata), feed the status line, hand the source
 * to the core, and close the file however the core ends.
 */
import type { TraceSource } from '../trace/source.js';
import { openOptions, type TraceOptionValues } from './options/trace-options.js';
import type { TraceProgress } from './terminal/trace-progress.js';

/** The options every replay takes from the command line (ReplayOptions; compare's options extend them). */
export interface ReplayCliOptions {
  onProgress(rows: number): void;
}

export async function replayTraceFile<T>(
  file: string,
  opts: TraceOptionValues,
  progress: TraceProgress,
  replay: (source: TraceSource, options: ReplayCliOptions) => Promise<T>,
): Promise<T> {
  // Loaded here, not at the top: every command is registered at start-up, and Arrow is not needed for --help.
  const { openTrace } = await import('../formats/open.js');
  const source = await openTrace(file, { ...openOptions(opts), onWarning: progress.onWarning, onProgress: progress.onProgress });
  try {
    return await replay(source, { onProgress: progress.onRows });
  } finally {
    await source.close();
  }
}
