/**
 * The `kind` column of an Arrow file, however it is stored, as kind codes,
 * once per batch: our own dictionary (int8 indices that are the codes: a
 * view), another dictionary (any index width, any order of names), plain
 * utf8 or large_utf8 strings (what pyarrow and polars write by default), or
 * integer codes of any width.
 */
import type { Data } from 'apache-arrow';
import { InputError } from '../errors.js';
import { KIND_NAMES, kindCode } from './schema.js';
import { widen, type IntValues } from './arrow-widen.js';

/** How the `kind` column is stored in a file we read. */
export type KindEncoding = 'dictionary' | 'strings' | 'codes';

/** Kind codes of rows [0, length) of `d` (nulls rejected before). `firstRow` places the errors. */
export function kindCodes(d: Data, encoding: KindEncoding, length: number, firstRow: number, file: string): Uint8Array {
  const at = (i: number) => ({ file, row: firstRow + i + 1 });
  switch (encoding) {
    case 'codes': {
      const values = (d.values as IntValues).subarray(d.offset, d.offset + length);
      if (values instanceof Uint8Array) return values;
      return widen(values, 'uint8', undefined, (i, v) => {
        throw new InputError(at(i), `kind code ${v}; expected 0 (vcpu), 1 (fault) or 2 (resolve), or 3 (erase)`);
      });
    }
    case 'dictionary':
      return dictionaryKinds(d, length, at);
    case 'strings':
      return stringKinds(d, length, at);
  }
}

type Place = (i: number) => { file: string; row: number };

/** Dictionary indices to kind codes: a view when the dictionary is ours (indices are the codes), else one pass. */
function dictionaryKinds(d: Data, length: number, at: Place): Uint8Array {
  const dict = d.dictionary;
  // A corrupt length in the dictionary's metadata can claim 2^31 names over a few bytes of offsets.
  for (const part of dict?.data ?? []) {
    const offsets = part.valueOffsets as Int32Array | BigInt64Array | undefined;
    if (!offsets || offsets.length < part.offset + part.length + 1) {
      throw new InputError({ file: at(0).file }, `the kind dictionary claims ${part.length} names but holds offsets for ${offsets ? offsets.length - 1 : 0}`);
    }
  }
  const names: string[] = [];
  for (let i = 0; i < (dict?.length ?? 0); i++) names.push(String(dict!.get(i)));
  const badIndex = (i: number, index: string): never => {
    throw new InputError(at(i), `kind dictionary index ${index}; expected 0 to ${names.length - 1}`);
  };
  const raw = (d.values as IntValues).subarray(d.offset, d.offset + length);
  const isOurs = names.length <= KIND_NAMES.length && names.every((s, i) => s === KIND_NAMES[i]);
  if (isOurs && raw.BYTES_PER_ELEMENT === 1) {
    const codes = new Uint8Array(raw.buffer, raw.byteOffset, length);
    if (names.length < KIND_NAMES.length) {
      for (let i = 0; i < length; i++) if (codes[i]! >= names.length) badIndex(i, String(codes[i]));
    }
    return codes;
  }
  const indices = raw instanceof Int32Array ? raw : widen(raw, 'int32', undefined, badIndex);
  const table = names.map((s) => kindCode(s) ?? -1);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = table[indices[i]!];
    if (code === undefined) badIndex(i, String(indices[i]));
    if (code < 0) throw new InputError(at(i), `unknown kind ${JSON.stringify(names[indices[i]!])}; expected vcpu, fault or resolve`);
    out[i] = code;
  }
  return out;
}

const KIND_BYTES = KIND_NAMES.map((name) => new TextEncoder().encode(name));

/** utf8 or large_utf8 strings to kind codes: each row is one length and a few bytes. */
function stringKinds(d: Data, length: number, at: Place): Uint8Array {
  const bytes = d.values as Uint8Array;
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  // large_utf8 offsets are 64-bit: a batch's strings are far below 2^31 bytes, so their low halves are the offsets.
  const o = offsets instanceof BigInt64Array ? new Int32Array(offsets.buffer, offsets.byteOffset, 2 * offsets.length) : offsets;
  const step = offsets instanceof BigInt64Array ? 2 : 1;
  if (!offsets || offsets.length < d.offset + length + 1) {
    throw new InputError({ file: at(0).file }, `record batch at row ${at(0).row}: column kind holds ${offsets ? offsets.length - 1 : 0} strings, expected ${d.offset + length}`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const start = o[step * (d.offset + i)]!;
    const end = o[step * (d.offset + i + 1)]!;
    const code = codeOfBytes(bytes, start, end);
    if (code < 0) {
      const shown = new TextDecoder().decode(bytes.subarray(start, Math.min(end, start + 40)));
      throw new InputError(at(i), `unknown kind ${JSON.stringify(shown)}; expected vcpu, fault or resolve`);
    }
    out[i] = code;
  }
  return out;
}

function codeOfBytes(b: Uint8Array, start: number, end: number): number {
  next: for (let k = 0; k < KIND_BYTES.length; k++) {
    const name = KIND_BYTES[k]!;
    if (name.length !== end - start) continue;
    for (let j = 0; j < name.length; j++) if (b[start + j] !== name[j]) continue next;
    return k;
  }
  return -1;
}
