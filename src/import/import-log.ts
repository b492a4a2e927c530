/**
 * `blocktime import qemu-log`: a QEMU trace log to a trace file, with QEMU's
 * own accounting lines in a side table beside it (see accounting.ts).
 */
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { createTraceWriter } from '../trace/write.js';
import { accountingPath } from './qemu-log/accounting.js';
import { createAccountingWriter, type AccountingWriter } from './qemu-log/accounting-file.js';
import type { MappingStats } from './qemu-log/mapping.js';
import { openQemuLog, type QemuLogOptions } from './qemu-log/source.js';

export interface ImportOptions extends QemuLogOptions {
  /** Write the accounting side table (default true; never for `-`). */
  accounting?: boolean;
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
  const source = await openQemuLog(log, opts);
  const writer = await createTraceWriter(output, source.meta, opts.batchRows !== undefined ? { batchRows: opts.batchRows } : {});
  const sidePath = opts.accounting === false || output === '-' ? undefined : accountingPath(output);
  let side: AccountingWriter | undefined;
  try {
    if (sidePath) side = await createAccountingWriter(sidePath, { design: source.scan.generation, trace: basename(output), log: basename(log) });
    for await (const { batch, acct } of source.pairs()) {
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
  const report: ImportReport = { output, source: source.meta.source ?? {}, mapping: source.stats };
  if (sidePath) report.accounting = sidePath;
  if (source.meta.vcpus !== undefined) report.vcpus = source.meta.vcpus;
  if (source.meta.startNs !== undefined) report.start_ns = String(source.meta.startNs);
  return report;
}
