/**
 * `convertTrace`: any readable trace to any writable format, one batch at a
 * time; the output appears under its name only when complete.
 */
import { openTrace, type OpenOptions } from './open.js';
import type { TraceFormat } from './registry.js';
import { createTraceWriter } from './write.js';

export interface ConvertOptions extends OpenOptions {
  /** Output format instead of the output name's extension. */
  to?: TraceFormat;
  /** Rows per output batch (Arrow record batch); larger input batches are split. */
  outBatchRows?: number;
}

export interface ConvertSummary {
  rows: number;
  inFormat: TraceFormat;
}

export async function convertTrace(inPath: string, outPath: string, opts: ConvertOptions = {}): Promise<ConvertSummary> {
  const source = await openTrace(inPath, opts);
  try {
    const writerOpts = { ...(opts.to ? { format: opts.to } : {}), ...(opts.outBatchRows ? { batchRows: opts.outBatchRows } : {}) };
    const writer = await createTraceWriter(outPath, source.meta, writerOpts);
    let rows = 0;
    try {
      for await (const batch of source.batches()) {
        await writer.write(batch);
        rows += batch.length;
      }
      await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return { rows, inFormat: source.format };
  } finally {
    await source.close();
  }
}
