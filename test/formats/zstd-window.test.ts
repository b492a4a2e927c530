import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_ZSTD_WINDOW, ZstdWindowCheck } from '../../src/formats/zstd-window.js';
import { zstdStored } from './compress.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A last raw block holding `body`. */
const lastRaw = (body: number[]): number[] => {
  const h = (body.length << 3) | 1;
  return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, ...body];
};
/** A frame with a window descriptor (exponent, mantissa), no checksum unless asked. */
const frame = (exponent: number, mantissa: number, checksum = false): number[] => [...MAGIC, checksum ? 0x04 : 0x00, (exponent << 3) | mantissa, ...lastRaw([0x61, 0x0a]), ...(checksum ? [1, 2, 3, 4] : [])];
/** A single-segment frame whose content size (8 bytes) is the window. */
const singleSegment = (size: bigint): number[] => {
  const fcs = Array.from({ length: 8 }, (_, k) => Number((size >> BigInt(8 * k)) & 0xffn));
  return [...MAGIC, 0xe0, ...fcs, ...lastRaw([0x61])];
};
const skippable = (body: number[]): number[] => [0x50, 0x2a, 0x4d, 0x18, body.length, 0, 0, 0, ...body];

/** Feeds `bytes` in pieces of `piece` bytes; returns what was thrown, if anything. */
function check(bytes: number[] | Uint8Array, piece = bytes.length): unknown {
  const c = new ZstdWindowCheck('t.zst');
  try {
    for (let i = 0; i < bytes.length; i += piece) c.feed(Uint8Array.from(bytes.slice(i, i + piece)));
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('ZstdWindowCheck: every frame\'s window, read from its header as the bytes go by', () => {
  it('passes real zstd data and stored frames, in pieces of any size', () => {
    const real = readFileSync(fileURLToPath(new URL('../../fixtures/qemu/example3-11.1.log.zst', import.meta.url)));
    const stored = zstdStored(Buffer.alloc(300_000, 0x61));
    for (const piece of [1, 3, 7, 4096, 1 << 20]) {
      expect(check(real, piece)).toBeUndefined();
      expect(check(stored, piece)).toBeUndefined();
    }
  });

  it('a window of 128 MiB is accepted, one step above it is refused at its frame', () => {
    expect(check(frame(17, 0))).toBeUndefined();
    const err = check(frame(17, 1));
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `t.zst: byte 0: zstd frame with a ${MAX_ZSTD_WINDOW + MAX_ZSTD_WINDOW / 8}-byte window; expected at most 134217728 (128 MiB, the zstd tool's own limit): decompress it with zstd --memory and read the result`,
    );
  });

  it('follows checksums, skippable frames and frames one after another, to a later frame\'s header', () => {
    const bytes = [...frame(10, 0, true), ...skippable([9, 9, 9]), ...frame(12, 3), ...frame(20, 7)];
    for (const piece of [1, 2, 5, bytes.length]) {
      expect((check(bytes, piece) as Error).message).toMatch(/^t\.zst: byte 37: zstd frame with a 2013265920-byte window/);
    }
  });

  it('a single-segment frame\'s content size is its window', () => {
    expect(check(singleSegment(1000n))).toBeUndefined();
    expect((check(singleSegment(2n ** 40n)) as Error).message).toMatch(/zstd frame with a 1099511627776-byte window/);
  });

  it('leaves bytes that are not zstd frames to the decoder', () => {
    expect(check([1, 2, 3, 4, 5, 6, 7, 8])).toBeUndefined();
  });
});
