/**
 * CSV as docs/trace-format.md: header `t_ns,kind,tid,addr,cpu`, addresses in 0x
 * hex, `cpu` empty on non-vCPU rows. The trace metadata goes first, as
 * `# blocktime.<key>=<value>` comment lines, which our reader takes back.
 */
import { addrWords } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import { addrText, int64Text, int64Words } from './text-fields.js';
import { COLUMNS, KIND_NAMES } from './schema.js';
import type { TraceMeta } from './schema.js';
import { metaToEntries } from './meta-entries.js';

const encoder = new TextEncoder();

export function createCsvEncoder(meta: TraceMeta): TraceEncoder {
  let preamble: string | null = [...metaToEntries(meta)].map(([k, v]) => `# ${k}=${v}\n`).join('') + COLUMNS.join(',') + '\n';
  const takePreamble = (): string => {
    const p = preamble ?? '';
    preamble = null;
    return p;
  };
  return {
    encode(b) {
      const tw = int64Words(b.t);
      const aw = addrWords(b.addr);
      const lines: string[] = [takePreamble()];
      for (let i = 0; i < b.length; i++) {
        const cpu = b.cpu[i]!;
        lines.push(`${int64Text(tw, b.t, i)},${KIND_NAMES[b.kind[i]!]},${b.tid[i]},${addrText(aw, i)},${cpu === -1 ? '' : cpu}\n`);
      }
      return [encoder.encode(lines.join(''))];
    },
    finish() {
      const p = takePreamble();
      return p ? [encoder.encode(p)] : [];
    },
  };
}
