import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { allocBatch } from '../../src/trace/batch.js';
import type { TraceBatch } from '../../src/trace/batch.js';
import { Kind } from '../../src/trace/schema.js';
import { openTrace } from '../../src/formats/open.js';
import type { OpenOptions } from '../../src/formats/open.js';

/** A scratch directory removed after the file's tests. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'blocktime-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A valid trace of `rows` rows: `vcpus` vcpu rows, then faults and resolves
 * with addresses across the whole 64-bit range (above 2^63 too), times that
 * need all 64 bits, and non-vCPU faults (cpu -1, tid 0).
 */
export function sampleTrace(rows: number, vcpus = 4, seed = 1): TraceBatch {
  const b = allocBatch(rows);
  let x = seed >>> 0 || 1;
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const base = 1_795_664_025_776_809_000n;
  for (let i = 0; i < rows; i++) {
    b.t[i] = base + BigInt(i) * 1000n + BigInt(Math.floor(rand() * 1000));
    if (i < vcpus) {
      b.kind[i] = Kind.vcpu;
      b.tid[i] = 8000 + i;
      b.addr[i] = 0n;
      b.cpu[i] = i;
      continue;
    }
    b.kind[i] = rand() < 0.5 ? Kind.fault : Kind.resolve;
    b.tid[i] = rand() < 0.1 ? 0 : 8000 + Math.floor(rand() * vcpus * 2);
    const hi = BigInt(Math.floor(rand() * 4294967296));
    b.addr[i] = i % 7 === 0 ? 0xffff_ffff_ffff_f000n : (hi << 32n) | BigInt(Math.floor(rand() * 4294967296) & ~0xfff);
    b.cpu[i] = -1;
  }
  return b;
}

/** Every row of a trace file, concatenated, with the batch lengths seen. */
export async function readAll(
  path: string,
  opts: OpenOptions = {},
  open: typeof openTrace = openTrace,
): Promise<{ rows: TraceBatch; lengths: number[]; meta: Awaited<ReturnType<typeof openTrace>>['meta'] }> {
  const src = await open(path, opts);
  const parts: TraceBatch[] = [];
  try {
    for await (const b of src.batches()) parts.push(copy(b));
  } finally {
    await src.close();
  }
  return { rows: concat(parts), lengths: parts.map((p) => p.length), meta: src.meta };
}

function copy(b: TraceBatch): TraceBatch {
  return { length: b.length, firstRow: b.firstRow, t: b.t.slice(), kind: b.kind.slice(), tid: b.tid.slice(), addr: b.addr.slice(), cpu: b.cpu.slice() };
}

export function concat(parts: TraceBatch[]): TraceBatch {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = allocBatch(n);
  let at = 0;
  for (const p of parts) {
    out.t.set(p.t.subarray(0, p.length), at);
    out.kind.set(p.kind.subarray(0, p.length), at);
    out.tid.set(p.tid.subarray(0, p.length), at);
    out.addr.set(p.addr.subarray(0, p.length), at);
    out.cpu.set(p.cpu.subarray(0, p.length), at);
    at += p.length;
  }
  return out;
}

/** Plain arrays, for toEqual with readable diffs. */
export function columns(b: TraceBatch): Record<string, unknown[]> {
  return {
    t: Array.from(b.t.subarray(0, b.length)),
    kind: Array.from(b.kind.subarray(0, b.length)),
    tid: Array.from(b.tid.subarray(0, b.length)),
    addr: Array.from(b.addr.subarray(0, b.length)),
    cpu: Array.from(b.cpu.subarray(0, b.length)),
  };
}
