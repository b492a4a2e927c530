/**
 * The `--native` branch of `blocktime capture` (the command itself, and the
 * simulator's branch, are in capture.ts): parse the flags, capture, print.
 */
import { captureNative } from '../capture/native/capture.js';
import { nativeSource } from '../capture/native/options.js';
import { UsageError } from '../errors.js';
import { WRITABLE_FORMATS, formatExtensions, type WritableFormat } from '../formats/registry.js';
import { styleFor } from './terminal/style.js';
import { nativeOptionsFromFlags, type FlagValues } from './options/native-flags.js';
import { withStopSignals } from './stop-signals.js';
import { renderNativeCapture } from './terminal/native-capture.js';

/** `flags.output` is the trace path (-o); `flags.json` prints the report as JSON; `format` is --output-format's. */
export async function runNativeCaptureCommand(flags: FlagValues, format: WritableFormat | undefined): Promise<void> {
  const output = flags.output;
  if (typeof output !== 'string' || output === '') throw new UsageError(`capture --native: give the trace file with -o FILE (${formatExtensions(WRITABLE_FORMATS)})`);
  if (output === '-') throw new UsageError('capture --native: -o - is not supported: the trace is replayed from the file after the capture');
  const options = nativeOptionsFromFlags(flags);
  const report = await withStopSignals((signal) => captureNative(options, output, { signal, ...(format ? { format } : {}) }));
  if (flags.json) {
    const { comparison, replay } = report;
    process.stdout.write(JSON.stringify({ trace: report.trace, rows: report.rows, source: nativeSource(options), ...comparison, replay }) + '\n');
  } else {
    process.stdout.write(renderNativeCapture(report, styleFor(process.stdout)));
  }
}
