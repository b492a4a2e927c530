// Writes a trace as the flat BTDUMP1 file that scripts/bench/qemu-ref.c reads
// (layout documented there): the rows as fixed 24-byte records, then the
// vcpu table, then the header filled in at offset 0. Copies 32-bit words, no
// BigInt per row.
import { open, rename } from 'node:fs/promises';

const RECORD = 24;

export async function writeDump(tracePath, outPath) {
  const { openTrace } = await import('../../dist/formats/open.js');
  const source = await openTrace(tracePath);
  const tmp = `${outPath}.tmp`;
  const fh = await open(tmp, 'w');
  let rows = 0;
  let maxCpu = -1;
  const vcpus = [];
  try {
    let pos = 32;
    for await (const b of source.batches()) {
      const n = b.length;
      const out = new Uint32Array(n * (RECORD / 4));
      const t = new Uint32Array(b.t.buffer, b.t.byteOffset, n * 2);
      const a = new Uint32Array(b.addr.buffer, b.addr.byteOffset, n * 2);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const kind = b.kind[i];
        if (kind === 0) {
          vcpus.push(b.tid[i], b.cpu[i]);
          if (b.cpu[i] > maxCpu) maxCpu = b.cpu[i];
          continue;
        }
        const o = k * 6;
        out[o] = t[2 * i];
        out[o + 1] = t[2 * i + 1];
        out[o + 2] = a[2 * i];
        out[o + 3] = a[2 * i + 1];
        out[o + 4] = b.tid[i];
        out[o + 5] = kind;
        k++;
      }
      const bytes = new Uint8Array(out.buffer, 0, k * RECORD);
      await fh.write(bytes, 0, bytes.length, pos);
      pos += bytes.length;
      rows += k;
    }
    const table = new Uint8Array(Int32Array.from(vcpus).buffer);
    await fh.write(table, 0, table.length, pos);
    const header = Buffer.alloc(32);
    header.write('BTDUMP1\0', 0, 'latin1');
    header.writeUInt32LE(source.meta.vcpus ?? maxCpu + 1, 8);
    header.writeUInt32LE(source.meta.pageSize, 12);
    header.writeBigUInt64LE(BigInt(rows), 16);
    header.writeUInt32LE(vcpus.length / 2, 24);
    await fh.write(header, 0, 32, 0);
  } finally {
    await fh.close();
    await source.close();
  }
  await rename(tmp, outPath);
  return { rows: rows + vcpus.length / 2 };
}
