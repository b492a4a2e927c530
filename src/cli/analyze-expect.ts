/**
 * `blocktime analyze TRACE --expect RESULT`: runs the check and prints its
 * verdict (loaded only when --expect is given; the options are in
 * options/expect-options.ts).
 */
import { checkAgainstQemu } from '../check/check.js';
import { ExitCode } from '../errors.js';
import type { ExpectOptionValues } from './options/expect-options.js';
import { inputFormatOf } from './options/trace-options.js';
import { renderCheck } from './terminal/check.js';
import { createTraceProgress } from './terminal/trace-progress.js';

/** Disagreements listed by a bare `--explain`. */
const DEFAULT_EXPLAIN = 10;

/** Runs the check and prints its verdict; sets the exit code (0 pass, 3 mismatch). */
export async function runExpectCheck(trace: string, opts: ExpectOptionValues): Promise<void> {
  const format = inputFormatOf(opts);
  const progress = createTraceProgress('analyze', 'bytes and rows');
  try {
    const result = await checkAgainstQemu(trace, {
      expect: opts.expect!,
      ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}),
      ...(opts.explain !== undefined ? { explain: opts.explain === true ? DEFAULT_EXPLAIN : opts.explain } : {}),
      ...(opts.qemuVersion !== undefined ? { qemuVersion: opts.qemuVersion } : {}),
      ...(opts.lenient ? { lenient: true } : {}),
      ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
      ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
      ...(format !== undefined ? { format } : {}),
      onWarning: progress.onWarning,
      onProgress: progress.onProgress,
      onRows: progress.onRows,
    });
    progress.done();
    process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : renderCheck(result));
    process.exitCode = result.pass ? ExitCode.ok : ExitCode.mismatch;
  } finally {
    progress.done();
  }
}
