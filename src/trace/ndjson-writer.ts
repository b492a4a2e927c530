/**
 * NDJSON as docs/trace-format.md: one object per row; `addr` as a 0x hex string
 * (exact for every 64-bit value), `t_ns` as a JSON number written with all
 * its digits, `cpu` -1 on non-vCPU rows. NDJSON carries no trace metadata.
 */
import { addrWords } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import { addrText, int64Text, int64Words } from './text-fields.js';
import { KIND_NAMES } from './schema.js';
import type { TraceMeta } from './schema.js';

const encoder = new TextEncoder();

export function createNdjsonEncoder(_meta: TraceMeta): TraceEncoder {
  return {
    encode(b) {
      const tw = int64Words(b.t);
      const aw = addrWords(b.addr);
      const lines: string[] = [];
      for (let i = 0; i < b.length; i++) {
        lines.push(
          `{"t_ns":${int64Text(tw, b.t, i)},"kind":"${KIND_NAMES[b.kind[i]!]}","tid":${b.tid[i]},"addr":"${addrText(aw, i)}","cpu":${b.cpu[i]}}\n`,
        );
      }
      return [encoder.encode(lines.join(''))];
    },
    finish() {
      return [];
    },
  };
}
