/**
 * The `atomic` design's millisecond clock, shared by its replay and by the
 * compare observer that follows it fault by fault.
 */

const NS_PER_MS = 1e6;

/**
 * The design's clock, `ms(t) = floor(t / 1e6) - floor(start / 1e6)`, clamped
 * to at least 1, modulo 2^32, computed per event in doubles: the trace's
 * first-row time `base` is split once (BigInt) into whole ms and a remainder,
 * so that `floor(t / 1e6) = baseMs + floor((baseRem + rel) / 1e6)`.
 */
export class MsClock {
  /** floor(base / 1e6) - floor(start / 1e6). */
  private readonly offsetMs: number;
  /** base mod 1e6, in [0, 1e6). */
  private readonly baseRem: number;

  constructor(baseNs: bigint, startNs: bigint) {
    const [baseMs, baseRem] = floorDivMod(baseNs, 1000000n);
    const [startMs] = floorDivMod(startNs, 1000000n);
    this.offsetMs = Number(baseMs - startMs);
    this.baseRem = Number(baseRem);
  }

  /** ms(t) for a time `rel` ns after the trace's first row. */
  at(rel: number): number {
    const x = this.baseRem + rel;
    let q = Math.floor(x / NS_PER_MS);
    // Near 2^53 the quotient can round up to the next integer: step back.
    if (q * NS_PER_MS > x) q--;
    const ms = this.offsetMs + q;
    return (ms < 1 ? 1 : ms) >>> 0;
  }
}

function floorDivMod(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a % b;
  if (r < 0n) {
    q -= 1n;
    r += b;
  }
  return [q, r];
}
