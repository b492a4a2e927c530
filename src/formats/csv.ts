/** CSV (`t_ns,kind,tid,addr,cpu`, metadata in `# blocktime.*` comments): src/trace/csv-reader.ts, csv-writer.ts. */
import type { FormatEntry } from './format.js';

export const CSV = {
  name: 'csv',
  title: 'CSV',
  extensions: ['.csv'],
  sniff: (lines) => /^t_ns\s*,/.test(lines.find((l) => !l.startsWith('#')) ?? ''),
  async open(input, opts) {
    const { openCsv } = await import('../trace/csv-reader.js');
    return { reader: await openCsv(input, { batchRows: opts.batchRows, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }) };
  },
  async createEncoder(meta) {
    return (await import('../trace/csv-writer.js')).createCsvEncoder(meta);
  },
} as const satisfies FormatEntry;
