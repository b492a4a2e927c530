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
import { nativeCaptureKeys, renderNativeCapture } from './terminal/native-capture.js';
import type { VcpuOptionValues } from './options/vcpu-options.js';
import { shownInJson } from '../report/vcpu-selection.js';
import { analysisForVcpus } from '../replay/vcpu-subset.js';
import { liveComparisonForVcpus } from '../capture/native/vcpu-subset.js';

/** `flags.output` is the trace path (-o); `flags.json` prints the report as JSON; `format` is --output-format's; `view` the vCPUs the table shows. */
export async function runNativeCaptureCommand(flags: FlagValues, format: WritableFormat | undefined, view: VcpuOptionValues): Promise<void> {
  const output = flags.output;
  if (typeof output !== 'string' || output === '') throw new UsageError(`capture --native: give the trace file with -o FILE (${formatExtensions(WRITABLE_FORMATS)})`);
  if (output === '-') throw new UsageError('capture --native: -o - is not supported: the trace is replayed from the file after the capture');
  const options = nativeOptionsFromFlags(flags);
  const report = await withStopSignals((signal) => captureNative(options, output, { signal, ...(format ? { format } : {}) }));
  if (flags.json) {
    const { comparison, replay } = report;
    const shown = shownInJson(comparison.per_vcpu.length, view, nativeCaptureKeys(comparison.per_vcpu));
    const head = { trace: report.trace, rows: report.rows, source: nativeSource(options) };
    const json = shown
      ? { ...head, ...liveComparisonForVcpus(comparison, shown), replay: { mutex: analysisForVcpus(replay.mutex, shown), atomic: analysisForVcpus(replay.atomic, shown), exact: analysisForVcpus(replay.exact, shown) } }
      : { ...head, ...comparison, replay };
    process.stdout.write(JSON.stringify(json) + '\n');
  } else {
    process.stdout.write(renderNativeCapture(report, view, styleFor(process.stdout)));
  }
}
