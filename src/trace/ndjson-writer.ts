/**
 * NDJSON as docs/trace-format.md: the trace metadata first, as one object of
 * `blocktime.*` keys (`page_size` and `vcpus` as numbers, `start_ns` as a
 * string of digits, `source` as an object), which our reader takes back; then
 * one object per row: `addr` as a 0x hex string (exact for every 64-bit
 * value), `t_ns` as a JSON number written with all its digits, `cpu` -1 on
 * non-vCPU rows.
 */
import { addrWords } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import { addrText, int64Text, int64Words } from './text-fields.js';
import { KIND_NAMES, META } from './schema.js';
import type { TraceMeta } from './schema.js';

const encoder = new TextEncoder();

export function createNdjsonEncoder(meta: TraceMeta): TraceEncoder {
  let metaLine: string | null = metadataLine(meta);
  const takeMetaLine = (): string => {
    const line = metaLine ?? '';
    metaLine = null;
    return line;
  };
  return {
    encode(b) {
      const tw = int64Words(b.t);
      const aw = addrWords(b.addr);
      const lines: string[] = [takeMetaLine()];
      for (let i = 0; i < b.length; i++) {
        lines.push(
          `{"t_ns":${int64Text(tw, b.t, i)},"kind":"${KIND_NAMES[b.kind[i]!]}","tid":${b.tid[i]},"addr":"${addrText(aw, i)}","cpu":${b.cpu[i]}}\n`,
        );
      }
      return [encoder.encode(lines.join(''))];
    },
    finish() {
      const line = takeMetaLine();
      return line ? [encoder.encode(line)] : [];
    },
  };
}

function metadataLine(meta: TraceMeta): string {
  const m: Record<string, unknown> = { [META.pageSize]: meta.pageSize };
  if (meta.vcpus !== undefined) m[META.vcpus] = meta.vcpus;
  // A string: int64 nanoseconds do not survive a JSON reader's double.
  if (meta.startNs !== undefined) m[META.startNs] = meta.startNs.toString();
  if (meta.source !== undefined) m[META.source] = meta.source;
  return `${JSON.stringify(m)}\n`;
}
