/**
 * What tells, without reading a whole trace again, whether a database file
 * still holds that trace as loaded: the file's path, size and modification
 * time, a hash of its first and last 64 KiB, the options that change the
 * figures (N, page size, format) and the layout of our tables and views.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { statInput } from '../trace/input-file.js';

const SAMPLE = 64 * 1024;

export interface TraceFingerprint {
  path: string;
  size: bigint;
  mtime_ns: bigint;
  sample_sha256: string;
  /** JSON of the options and the layout: equal text, equal load. */
  load_key: string;
}

export async function fingerprintTrace(path: string, loadKey: Record<string, unknown>): Promise<TraceFingerprint> {
  await statInput(path, 'a trace file');
  const st = await stat(path, { bigint: true });
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const size = Number(st.size);
    const head = Buffer.alloc(Math.min(SAMPLE, size));
    await file.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > SAMPLE) {
      const tail = Buffer.alloc(Math.min(SAMPLE, size - SAMPLE));
      await file.read(tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
  } finally {
    await file.close();
  }
  return { path: resolve(path), size: st.size, mtime_ns: st.mtimeNs, sample_sha256: hash.digest('hex'), load_key: JSON.stringify(loadKey) };
}

export function sameFingerprint(a: TraceFingerprint, b: TraceFingerprint): boolean {
  return a.path === b.path && a.size === b.size && a.mtime_ns === b.mtime_ns && a.sample_sha256 === b.sample_sha256 && a.load_key === b.load_key;
}
