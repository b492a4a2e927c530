/**
 * A trace's id in a dataset: the first 16 hex digits of the SHA-256 of the
 * file's bytes (as stored, compressed or not), so that exporting the same
 * file again, from any host, names the same partition, and a changed file
 * a new one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export const TRACE_ID_HEX = 16;

export async function traceId(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, TRACE_ID_HEX);
}
