/**
 * `TraceBatch` is the spine of the program: every reader yields it, every
 * writer and variant takes it, whatever the file format. Columns are typed
 * arrays, usually views on Arrow buffers (no copy).
 */
export interface TraceBatch {
  readonly length: number;
  /** Row number (0-based, in the whole trace) of this batch's first row. */
  readonly firstRow: number;
  /** Nanoseconds, any fixed epoch. */
  readonly t: BigInt64Array;
  /** `Kind` codes: 0 vcpu, 1 fault, 2 resolve. */
  readonly kind: Uint8Array;
  readonly tid: Uint32Array;
  /** Full 64-bit addresses. Hot loops read them through `addrWords()` (two 32-bit halves), never as BigInt. */
  readonly addr: BigUint64Array;
  /** vCPU index on `vcpu` rows, -1 elsewhere. */
  readonly cpu: Int32Array;
}

/** Allocates an empty batch of `capacity` rows, for builders (simulator, CSV, importers) to fill. */
export function allocBatch(capacity: number, firstRow = 0): TraceBatch & { length: number } {
  return {
    length: capacity,
    firstRow,
    t: new BigInt64Array(capacity),
    kind: new Uint8Array(capacity),
    tid: new Uint32Array(capacity),
    addr: new BigUint64Array(capacity),
    cpu: new Int32Array(capacity),
  };
}

/** The first `length` rows of `b`, as views (no copy). */
export function sliceBatch(b: TraceBatch, length: number, firstRow = b.firstRow): TraceBatch {
  return {
    length,
    firstRow,
    t: b.t.subarray(0, length),
    kind: b.kind.subarray(0, length),
    tid: b.tid.subarray(0, length),
    addr: b.addr.subarray(0, length),
    cpu: b.cpu.subarray(0, length),
  };
}

/** Rows [start, end) of `b`, as views (no copy). */
export function subBatch(b: TraceBatch, start: number, end: number): TraceBatch {
  return {
    length: end - start,
    firstRow: b.firstRow + start,
    t: b.t.subarray(start, end),
    kind: b.kind.subarray(start, end),
    tid: b.tid.subarray(start, end),
    addr: b.addr.subarray(start, end),
    cpu: b.cpu.subarray(start, end),
  };
}

const TWO_32 = 4294967296;

/**
 * Writes `t[i] - base` into `out` as doubles, without BigInt arithmetic per
 * row: the int64 is read as two 32-bit halves. Exact while |t - base| < 2^53 ns
 * (104 days); returns false (and leaves `out` partly written) when a row is
 * beyond that, so the caller can report it instead of rounding silently.
 */
export function relativeTimes(t: BigInt64Array, base: bigint, out: Float64Array): boolean {
  const n = t.length;
  const words = new Int32Array(t.buffer, t.byteOffset, n * 2);
  const baseHi = Number(BigInt.asIntN(32, base >> 32n));
  const baseLo = Number(BigInt.asUintN(32, base));
  let ok = true;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]! >>> 0;
    const hi = words[2 * i + 1]!;
    const d = (hi - baseHi) * TWO_32 + (lo - baseLo);
    if (d > Number.MAX_SAFE_INTEGER || d < -Number.MAX_SAFE_INTEGER) ok = false;
    out[i] = d;
  }
  return ok;
}

/**
 * The address column as 32-bit words, a view (no copy): row i's low half is
 * word 2i, its high half word 2i+1 (x86-64 and arm64 are little-endian).
 * Page keys come from the halves without BigInt.
 */
export function addrWords(addr: BigUint64Array): Uint32Array {
  return new Uint32Array(addr.buffer, addr.byteOffset, addr.length * 2);
}

export function hexAddr(hi: number, lo: number): string {
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}
