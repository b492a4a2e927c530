/**
 * The thread id of each vCPU, noted from a trace's `vcpu` rows as the
 * trace is read for something else (a replay), so that `--tid` needs no
 * second read. The rows come first, so only the first batches are looked at.
 */
import type { TraceBatch } from './batch.js';
import { Kind } from './schema.js';
import type { TraceSource } from './source.js';

export interface VcpuThreads {
  /** The source to read instead of the original (the same batches). */
  source: TraceSource;
  /** The thread declared for vCPU `cpu`, once the source has been read. */
  tidOf(cpu: number): number | undefined;
}

export function noteVcpuThreads(original: TraceSource): VcpuThreads {
  const tids = new Map<number, number>();
  let leading = true;
  async function* batches(): AsyncGenerator<TraceBatch> {
    for await (const b of original.batches()) {
      for (let i = 0; leading && i < b.length; i++) {
        if (b.kind[i] === Kind.vcpu) tids.set(b.cpu[i]!, b.tid[i]!);
        else leading = false;
      }
      yield b;
    }
  }
  const source: TraceSource = {
    get path() {
      return original.path;
    },
    get format() {
      return original.format;
    },
    get meta() {
      return original.meta;
    },
    batches,
    close: () => original.close(),
  };
  return { source, tidOf: (cpu) => tids.get(cpu) };
}
