/**
 * The window size of every zstd frame, read from the frame headers as the
 * compressed bytes go by, before the decoder sees them. fzstd allocates each
 * frame's window up front (up to 2 GiB, from a 6-byte header) and moves it on
 * every block: a frame that asks for more than the zstd tool itself accepts
 * by default (MAX_ZSTD_WINDOW) is refused here instead. Only the frame and
 * block headers are parsed (RFC 8878 sections 3.1.1 and 3.1.2); the decoder
 * reports anything else that is wrong with the data.
 */
import { InputError } from '../errors.js';

/** zstd's default decoder limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27): larger windows need `zstd --memory`. */
export const MAX_ZSTD_WINDOW = 1 << 27;

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FCS_BYTES = [0, 2, 4, 8];
const DICT_BYTES = [0, 1, 2, 4];

type State = 'magic' | 'descriptor' | 'header' | 'block' | 'skippable' | 'checksum' | 'unknown';

export class ZstdWindowCheck {
  private state: State = 'magic';
  /** Header bytes gathered so far for the current state. */
  private readonly held = new Uint8Array(16);
  private heldLength = 0;
  /** Bytes of the state to gather (header states) or to pass over (block contents). */
  private want = 4;
  private skip = 0;
  /** Compressed bytes seen: the offset of the next byte. */
  private offset = 0;
  private frameStart = 0;
  private descriptor = 0;
  private lastBlock = false;

  constructor(private readonly file: string) {}

  /** Reads the headers in `chunk`; throws when a frame's window is too large. */
  feed(chunk: Uint8Array): void {
    let p = 0;
    while (p < chunk.length && this.state !== 'unknown') {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - p);
        this.skip -= n;
        p += n;
        continue;
      }
      const n = Math.min(this.want - this.heldLength, chunk.length - p);
      this.held.set(chunk.subarray(p, p + n), this.heldLength);
      this.heldLength += n;
      p += n;
      if (this.heldLength === this.want) this.step(this.offset + p);
    }
    this.offset += chunk.length;
  }

  /** The current state's bytes are all held; `at` is the offset just after them. */
  private step(at: number): void {
    const h = this.held;
    const next = (state: State, want: number, skip = 0): void => {
      this.state = state;
      this.want = want;
      this.heldLength = 0;
      this.skip = skip;
    };
    switch (this.state) {
      case 'magic': {
        const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        this.frameStart = at - 4;
        if (magic === FRAME_MAGIC) next('descriptor', 1);
        else if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) next('skippable', 4);
        // Not a frame: the decoder says so.
        else next('unknown', 0);
        return;
      }
      case 'descriptor': {
        const d = h[0]!;
        this.descriptor = d;
        const single = (d >> 5) & 1;
        // A window descriptor, or a content size (at least one byte) that is the window.
        next('header', (single ? 0 : 1) + DICT_BYTES[d & 3]! + (FCS_BYTES[d >> 6]! || single));
        return;
      }
      case 'header': {
        const d = this.descriptor;
        if ((d >> 5) & 1) {
          const fcsAt = DICT_BYTES[d & 3]!;
          const fcsBytes = FCS_BYTES[d >> 6]! || 1;
          let size = 0;
          for (let k = fcsBytes - 1; k >= 0; k--) size = size * 256 + h[fcsAt + k]!;
          if (fcsBytes === 2) size += 256;
          this.window(size);
        } else {
          const w = h[0]!;
          const base = 2 ** (10 + (w >> 3));
          this.window(base + (base / 8) * (w & 7));
        }
        next('block', 3);
        return;
      }
      case 'block': {
        const header = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        this.lastBlock = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        const contents = type === 1 ? 1 : size;
        if (!this.lastBlock) next('block', 3, contents);
        else if ((this.descriptor >> 2) & 1) next('checksum', 0, contents + 4);
        else next('magic', 4, contents);
        return;
      }
      case 'checksum':
        next('magic', 4);
        return;
      case 'skippable': {
        const size = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        next('magic', 4, size);
        return;
      }
      case 'unknown':
        return;
    }
  }

  private window(size: number): void {
    if (size > MAX_ZSTD_WINDOW) {
      throw new InputError(
        { file: this.file, byteOffset: this.frameStart },
        `zstd frame with a ${size}-byte window; expected at most ${MAX_ZSTD_WINDOW} (128 MiB, the zstd tool's own limit): decompress it with zstd --memory and read the result`,
      );
    }
  }
}
