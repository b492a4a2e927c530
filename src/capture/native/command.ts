/**
 * The `--native` branch of `blocktime capture` (the command itself is the
 * simulator's file, src/cli/capture.ts): parse the flags, capture, print.
 */
import { UsageError } from '../../errors.js';
import { WRITABLE_FORMATS, formatExtensions, formatNamed, isWritable } from '../../formats/registry.js';
import { styleFor } from '../../report/style.js';
import { captureNative } from './capture.js';
import { nativeOptionsFromFlags, withStopSignals, type FlagValues } from './flags.js';
import { nativeSource } from './options.js';
import { renderNativeCapture } from './render.js';

/** `flags.output` is the trace path (-o); `flags.json` prints the report as JSON. */
export async function runNativeCaptureCommand(flags: FlagValues): Promise<void> {
  const output = flags.output;
  if (typeof output !== 'string' || output === '') throw new UsageError(`capture --native: give the trace file with -o FILE (${formatExtensions(WRITABLE_FORMATS)})`);
  if (output === '-') throw new UsageError('capture --native: -o - is not supported: the trace is replayed from the file after the capture');
  const options = nativeOptionsFromFlags(flags);
  // Checked by the command's --output-format option; the flags arrive untyped.
  const named = typeof flags.outputFormat === 'string' ? formatNamed(flags.outputFormat) : undefined;
  const format = named !== undefined && isWritable(named) ? named : undefined;
  const report = await withStopSignals((signal) => captureNative(options, output, { signal, ...(format ? { format } : {}) }));
  if (flags.json) {
    const { comparison, replay } = report;
    process.stdout.write(JSON.stringify({ trace: report.trace, rows: report.rows, source: nativeSource(options), ...comparison, replay }) + '\n');
  } else {
    process.stdout.write(renderNativeCapture(report, styleFor(process.stdout)));
  }
}
