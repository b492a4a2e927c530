/**
 * Compressed copies of test data. gzip from node:zlib; zstd as a frame of
 * stored (raw) blocks, which every zstd decoder reads and which needs no
 * encoder: the real entropy-coded data is a fixture
 * (fixtures/qemu/example3-11.1.log.zst, written by the zstd tool).
 */
import { gzipSync } from 'node:zlib';

export function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/** Largest block a zstd frame may hold (and our window allows). */
const BLOCK = 1 << 17;

export function zstdStored(bytes: Uint8Array): Buffer {
  // Magic; frame header: no content size, no checksum, not single-segment; window 2^17.
  const parts: Uint8Array[] = [Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3)];
  let at = 0;
  do {
    const size = Math.min(BLOCK, bytes.length - at);
    const last = at + size >= bytes.length ? 1 : 0;
    // Block header, 3 bytes little-endian: last flag, type 0 (raw), size.
    const header = (size << 3) | last;
    parts.push(Uint8Array.of(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff), bytes.subarray(at, at + size));
    at += size;
  } while (at < bytes.length);
  return Buffer.concat(parts);
}
