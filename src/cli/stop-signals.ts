/**
 * Runs `work` with SIGINT and SIGTERM turned into an abort: the capture then
 * stops its threads, flushes every event and closes its file, instead of the
 * process dying with the trace half-written.
 */
export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Ends a read waiting on stdin when `signal` aborts (the trace given as
 * `-`): the read then fails at once, and the command stops instead of
 * waiting for its writer.
 */
export function closeStdinOnAbort(signal: AbortSignal, trace: string): void {
  if (trace === '-') signal.addEventListener('abort', () => process.stdin.destroy(), { once: true });
}
