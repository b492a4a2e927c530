/**
 * Integer columns that other tools write with another width or signedness
 * than the model's (pyarrow and polars write Python ints as int64, a thread
 * id as int64, a cpu as int64 or uint32): converted to the model's typed
 * array once per batch, each value checked to fit, never per event in a
 * replay. 64-bit values are read as two 32-bit halves, without BigInt; a
 * 64-bit column whose values fit the other signedness is handed on as a
 * view of the same buffer.
 */

export type IntValues = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** The model's integer types: t_ns int64, addr uint64, tid uint32, cpu int32, kind codes uint8. */
export type IntTarget = 'int64' | 'uint64' | 'uint32' | 'int32' | 'uint8';

type TargetArray<T extends IntTarget> = T extends 'int64'
  ? BigInt64Array
  : T extends 'uint64'
    ? BigUint64Array
    : T extends 'uint32'
      ? Uint32Array
      : T extends 'int32'
        ? Int32Array
        : Uint8Array;

/**
 * `values` (one batch's rows of a column) as `target`. `isNull(i)` (when the
 * column has nulls) exempts row i from the check: its value is left 0 for
 * the caller to fill. `bad(i, value)` is called with the first value that does
 * not fit, as decimal text, and must throw.
 */
export function widen<T extends IntTarget>(
  values: IntValues,
  target: T,
  isNull: ((i: number) => boolean) | undefined,
  bad: (i: number, value: string) => never,
): TargetArray<T> {
  const n = values.length;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    return from64(values, target, isNull, bad) as TargetArray<T>;
  }
  const out = allocate(target, n);
  const words = target === 'int64' || target === 'uint64' ? new Int32Array(out.buffer, out.byteOffset, 2 * n) : undefined;
  const [min, max] = RANGE[target];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min || v > max) {
      if (isNull?.(i)) continue;
      bad(i, String(v));
    }
    if (words) {
      words[2 * i] = v;
      words[2 * i + 1] = v < 0 ? -1 : 0;
    } else (out as Uint32Array | Int32Array | Uint8Array)[i] = v;
  }
  return out as TargetArray<T>;
}

/** Limits of the targets held as numbers (the 64-bit ones: what a 32-bit source can reach of them). */
const RANGE: Record<IntTarget, [number, number]> = {
  int64: [-Infinity, Infinity],
  uint64: [0, Infinity],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
  uint8: [0, 0xff],
};

function allocate(target: IntTarget, n: number): BigInt64Array | BigUint64Array | Uint32Array | Int32Array | Uint8Array {
  switch (target) {
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint8':
      return new Uint8Array(n);
  }
}

function from64(
  values: BigInt64Array | BigUint64Array,
  target: IntTarget,
  isNull: ((i: number) => boolean) | undefined,
  bad: (i: number, value: string) => never,
): BigInt64Array | BigUint64Array | Uint32Array | Int32Array | Uint8Array {
  const n = values.length;
  const signed = values instanceof BigInt64Array;
  const w = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  const fail = (i: number): never => bad(i, String(values[i]));
  if (target === 'int64' || target === 'uint64') {
    // The same 64 bits, read with the other signedness: every value must have its top bit clear.
    if (signed === (target === 'int64')) return values;
    for (let i = 0; i < n; i++) if (w[2 * i + 1]! < 0 && !isNull?.(i)) fail(i);
    return target === 'int64' ? new BigInt64Array(values.buffer, values.byteOffset, n) : new BigUint64Array(values.buffer, values.byteOffset, n);
  }
  const out = allocate(target, n) as Uint32Array | Int32Array | Uint8Array;
  for (let i = 0; i < n; i++) {
    const lo = w[2 * i]!;
    const hi = w[2 * i + 1]!;
    let ok: boolean;
    switch (target) {
      case 'uint32':
        ok = hi === 0;
        break;
      case 'int32':
        // Sign-extended from 32 bits (an unsigned column: below 2^31).
        ok = hi === lo >> 31 && (signed || hi === 0);
        break;
      default:
        ok = hi === 0 && lo >>> 0 <= 0xff;
    }
    if (!ok) {
      if (isNull?.(i)) continue;
      fail(i);
    }
    out[i] = target === 'uint32' ? lo >>> 0 : lo;
  }
  return out;
}
