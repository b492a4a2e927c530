import type { TraceFormat } from './source.js';

const BY_EXTENSION: Array<[string, TraceFormat]> = [
  ['.arrows', 'arrows'],
  ['.arrow', 'arrow'],
  ['.csv', 'csv'],
  ['.ndjson', 'ndjson'],
  ['.jsonl', 'ndjson'],
  ['.parquet', 'parquet'],
  ['.log.gz', 'qemu-log'],
  ['.log', 'qemu-log'],
];

/** The format a file name announces, if any. */
export function formatFromPath(path: string): TraceFormat | undefined {
  const lower = path.toLowerCase();
  return BY_EXTENSION.find(([ext]) => lower.endsWith(ext))?.[1];
}
