import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { CODECS, MAX_RATIO, RATIO_FREE_BYTES } from '../../src/formats/compression.js';

const codec = (name: 'gzip' | 'zstd') => CODECS.find((c) => c.name === name)!;

/** Decompresses `data` fed in 64 KiB pieces, as a file is read; returns the bytes out, or what was thrown. */
async function inflate(name: 'gzip' | 'zstd', data: Uint8Array): Promise<number | unknown> {
  let consumed = 0;
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += 1 << 16) {
      const piece = data.slice(i, i + (1 << 16));
      consumed += piece.length;
      yield piece;
    }
  }
  let out = 0;
  try {
    for await (const chunk of codec(name).decompress(pieces(), { file: 'x', consumed: () => consumed })) out += chunk.length;
    return out;
  } catch (err) {
    return err;
  }
}

/** A zstd frame of RLE blocks: `blocks` times 128 KiB of `byte`, from four bytes each. */
function zstdRle(blocks: number, byte: number): Uint8Array {
  const parts = [Buffer.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3)];
  for (let k = 0; k < blocks; k++) {
    const h = ((1 << 17) << 3) | (1 << 1) | (k === blocks - 1 ? 1 : 0);
    parts.push(Buffer.of(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, byte));
  }
  return Buffer.concat(parts);
}

describe(`no input expands more than ${MAX_RATIO} times past its first ${RATIO_FREE_BYTES} bytes`, () => {
  it('a small input may expand as far as it likes', async () => {
    expect(await inflate('zstd', zstdRle(100, 0x0a))).toBe(100 << 17);
  });

  it('zstd RLE blocks: refused once past the free bytes, before gigabytes are held', async () => {
    const err = await inflate('zstd', zstdRle(30000, 0x0a));
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^x: byte 65536: zstd data expands more than 1000 times \(\d+ bytes from 65536\); expected a compressed trace, not a decompression bomb$/);
  });

  it('gzip: the same bound; ordinary data passes', async () => {
    const err = await inflate('gzip', gzipSync(Buffer.alloc(64 << 20, 0x0a), { level: 9 }));
    expect((err as Error).message).toMatch(/^x: byte \d+: gzip data expands more than 1000 times/);
    const text = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `${i * 7919},fault,${i % 13},0x${(i * 4096).toString(16)},\n`).join(''));
    expect(await inflate('gzip', gzipSync(text))).toBe(text.length);
  });
});
