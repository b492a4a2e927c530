/**
 * Reads the tiny example CSVs straight into one batch, so the replay tests do
 * not depend on the trace readers (tested on their own in test/trace).
 */
import { readFileSync } from 'node:fs';
import { allocBatch, type TraceBatch } from '../../src/trace/batch.js';
import { kindCode, type TraceMeta } from '../../src/trace/schema.js';

export function readCsvFixture(path: string): { meta: TraceMeta; batch: TraceBatch } {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const rows = lines.slice(1);
  const b = allocBatch(rows.length);
  rows.forEach((line, i) => {
    const [t, kind, tid, addr, cpu] = line.split(',');
    b.t[i] = BigInt(t!);
    b.kind[i] = kindCode(kind!)!;
    b.tid[i] = Number(tid);
    b.addr[i] = BigInt(addr!);
    b.cpu[i] = cpu === undefined || cpu === '' ? -1 : Number(cpu);
  });
  return { meta: { pageSize: 4096 }, batch: b };
}
