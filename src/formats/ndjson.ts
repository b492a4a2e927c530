/** NDJSON, one flat object per line (no metadata): src/trace/ndjson-reader.ts, ndjson-writer.ts. */
import type { FormatEntry } from './format.js';

export const NDJSON = {
  name: 'ndjson',
  title: 'NDJSON',
  extensions: ['.ndjson', '.jsonl'],
  sniff: (lines) => (lines.find((l) => !l.startsWith('#')) ?? '').startsWith('{'),
  async open(input, opts) {
    const { openNdjson } = await import('../trace/ndjson-reader.js');
    return { reader: await openNdjson(input, { batchRows: opts.batchRows, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }) };
  },
  async createEncoder(meta) {
    return (await import('../trace/ndjson-writer.js')).createNdjsonEncoder(meta);
  },
} as const satisfies FormatEntry;
