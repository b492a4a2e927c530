/**
 * `blocktime import qemu-log`: a QEMU trace log to a trace file, with QEMU's
 * own accounting lines in a side table beside it (see
 * src/import/qemu-log/accounting.ts). The log is opened as every trace is
 * (open.ts), the trace written as every trace is (write.ts).
 */
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { accountingPath } from '../import/qemu-log/accounting.js';
import { createAccountingWriter, type AccountingWriter } from '../import/qemu-log/accounting-file.js';
import type { MappingStats } from '../import/qemu-log/mapping.js';
import { statInput } from '../trace/input-file.js';
import { openTrace, type OpenOptions } from './open.js';
import type { TraceFormat } from './registry.js';
import { createTraceWriter } from './write.js';

export interface ImportOptions extends Omit<OpenOptions, 'format'> {
  /** Write the accounting side table (default true; never for `-`). */
  accounting?: boolean;
  /** The trace's format instead of the output name's. */
  to?: TraceFormat;
}

export interface ImportReport {
  output: string;
  /** The side table's path, when written. */
  accounting?: string;
  /** The trace's `blocktime.source` metadata. */
  source: Record<string, unknown>;
  vcpus?: number;
  start_ns?: string;
  /** What the mapping rules did. */
  mapping: MappingStats;
}

export async function importQemuLog(log: string, output: string, opts: ImportOptions = {}): Promise<ImportReport> {
  if (resolve(output) === resolve(log)) throw new UsageError(`-o ${output}: would overwrite the log`);
  // Named here: the log is opened as a trace, whose messages would call it one.
  if (log !== '-') await statInput(log, 'a QEMU trace log');
  const { accounting, to, ...open } = opts;
  const source = await openTrace(log, { ...open, format: 'qemu-log' });
  try {
    const { qemu } = source;
    const writer = await createTraceWriter(output, source.meta, { ...(to ? { format: to } : {}), ...(opts.batchRows !== undefined ? { batchRows: opts.batchRows } : {}) });
    const sidePath = accounting === false || output === '-' ? undefined : accountingPath(output);
    let side: AccountingWriter | undefined;
    try {
      if (sidePath) side = await createAccountingWriter(sidePath, { design: qemu.scan.generation, trace: basename(output), log: basename(log) });
      for await (const { batch, acct } of qemu.pairs()) {
        await writer.write(batch);
        if (side) await side.write(acct);
      }
      // The table and its trace appear together: the table waits, complete on the disk, for its rename until the trace is in place.
      if (side) await side.finish();
      await writer.close();
      if (side) await side.close();
    } catch (err) {
      await writer.abort();
      if (side) await side.abort();
      throw err;
    }
    const report: ImportReport = { output, source: source.meta.source ?? {}, mapping: qemu.stats };
    if (sidePath) report.accounting = sidePath;
    if (source.meta.vcpus !== undefined) report.vcpus = source.meta.vcpus;
    if (source.meta.startNs !== undefined) report.start_ns = String(source.meta.startNs);
    return report;
  } finally {
    await source.close();
  }
}
