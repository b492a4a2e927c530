/**
 * SIGINT and SIGTERM in every command. A command that can stop cleanly by
 * itself runs under `withStopSignals`: the first signal becomes an abort (a
 * capture then stops its threads, flushes and discards its file). The SQL
 * shell listens for SIGINT itself, to cancel the running query. Everywhere
 * else, or at a second signal, the command stops at once: DuckDB's running
 * query is cancelled, the outputs still under their temporary names and
 * DuckDB's spill directories are removed (early-stop.ts), one line says what
 * was not written, exit 130. A half-written file never stays behind.
 */
import { ExitCode } from '../errors.js';
import { stopEarly } from '../early-stop.js';

/** The abort of the command running under withStopSignals, if one is. */
let graceful: AbortController | undefined;

/** Installed once, by main, for the command being run. */
export function installStopSignals(command: string | undefined): void {
  const stop = (signal: NodeJS.Signals): void => {
    if (graceful && !graceful.signal.aborted) {
      graceful.abort();
      return;
    }
    // No command to abort, but another listener: the SQL shell, which cancels its query.
    if (!graceful && process.listenerCount(signal) > 1) return;
    const unwritten = stopEarly();
    const what = unwritten.length > 0 ? `; ${unwritten.join(', ')} not written` : '';
    process.stderr.write(`blocktime: ${command ? `${command}: ` : ''}interrupted by ${signal}${what}\n`);
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Runs `work` with the first SIGINT or SIGTERM turned into an abort: the
 * capture then stops its threads, flushes every event and closes its file,
 * instead of the process dying with the trace half-written. A second signal
 * stops at once.
 */
export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  graceful = controller;
  try {
    return await work(controller.signal);
  } finally {
    graceful = undefined;
  }
}
