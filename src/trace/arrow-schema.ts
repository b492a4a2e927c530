/**
 * The trace model as an Arrow schema: the columns we write, the columns we
 * accept on read, and the schema metadata of docs/trace-format.md#trace-metadata.
 */
import { DataType, Dictionary, Field, Int32, Int64, Int8, Schema, Uint32, Uint64, Utf8, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import { COLUMNS, DEFAULT_PAGE_SIZE, KIND_NAMES, META, isPowerOfTwo } from './schema.js';
import type { TraceMeta } from './schema.js';

const KIND_DICTIONARY_ID = 0;

/** `kind` as written: int8 indices that are the kind codes themselves, into ['vcpu', 'fault', 'resolve']. */
export const KIND_TYPE = new Dictionary(new Utf8(), new Int8(), KIND_DICTIONARY_ID);

/**
 * One dictionary vector shared by every batch we write: the IPC writer emits a
 * dictionary message only when it sees a new one, and the file format forbids
 * replacing it.
 */
export const KIND_DICTIONARY: Vector<Utf8> = vectorFromArray([...KIND_NAMES], new Utf8());

export function traceArrowSchema(meta: TraceMeta): Schema {
  return new Schema(
    [
      new Field('t_ns', new Int64(), false),
      new Field('kind', KIND_TYPE, false),
      new Field('tid', new Uint32(), false),
      new Field('addr', new Uint64(), false),
      new Field('cpu', new Int32(), false),
    ],
    metaToArrow(meta),
  );
}

export function metaToArrow(meta: TraceMeta): Map<string, string> {
  const m = new Map<string, string>();
  m.set(META.pageSize, String(meta.pageSize));
  if (meta.vcpus !== undefined) m.set(META.vcpus, String(meta.vcpus));
  if (meta.startNs !== undefined) m.set(META.startNs, meta.startNs.toString());
  if (meta.source !== undefined) m.set(META.source, JSON.stringify(meta.source));
  return m;
}

/**
 * Reads the schema metadata, checking each value; absent keys take the
 * defaults. Parquet's key-value metadata carries the same keys (`where` names
 * it in messages).
 */
export function metaFromArrow(m: Map<string, string>, file: string, where = 'schema metadata'): TraceMeta {
  const meta: TraceMeta = { pageSize: DEFAULT_PAGE_SIZE };
  const bad = (key: string, expected: string): InputError =>
    new InputError({ file }, `${where} ${key} is ${JSON.stringify(m.get(key))}, expected ${expected}`);
  const pageSize = m.get(META.pageSize);
  if (pageSize !== undefined) {
    meta.pageSize = /^[0-9]+$/.test(pageSize) ? Number(pageSize) : NaN;
    if (!isPowerOfTwo(meta.pageSize)) throw bad(META.pageSize, 'a power of two');
  }
  const vcpus = m.get(META.vcpus);
  if (vcpus !== undefined) {
    meta.vcpus = /^[0-9]+$/.test(vcpus) ? Number(vcpus) : NaN;
    if (!(meta.vcpus >= 1 && meta.vcpus <= 0x7fffffff)) throw bad(META.vcpus, 'a positive integer');
  }
  const startNs = m.get(META.startNs);
  if (startNs !== undefined) {
    if (!/^-?[0-9]{1,19}$/.test(startNs) || BigInt.asIntN(64, BigInt(startNs)) !== BigInt(startNs)) {
      throw bad(META.startNs, 'a signed 64-bit integer of nanoseconds');
    }
    meta.startNs = BigInt(startNs);
  }
  const source = m.get(META.source);
  if (source !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad(META.source, 'a JSON object');
    meta.source = parsed as Record<string, unknown>;
  }
  return meta;
}

/** How the `kind` column is stored in a file we read. */
export type KindEncoding = 'dictionary' | 'codes';

export interface ArrowColumns {
  /** Child index of each column in the record batches. */
  index: Record<(typeof COLUMNS)[number], number>;
  kind: KindEncoding;
}

const EXPECTED: Record<(typeof COLUMNS)[number], string> = {
  t_ns: 'int64',
  kind: 'dictionary<utf8> or uint8',
  tid: 'uint32',
  addr: 'uint64',
  cpu: 'int32',
};

/** Finds the five columns by name and checks their types; extra columns are ignored. */
export function checkArrowSchema(schema: Schema, file: string): ArrowColumns {
  const index = {} as Record<(typeof COLUMNS)[number], number>;
  let kind: KindEncoding = 'codes';
  for (const name of COLUMNS) {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw new InputError({ file }, `Arrow schema has no column ${name} (expected ${name}: ${EXPECTED[name]})`);
    const type = schema.fields[i]!.type as DataType;
    let ok: boolean;
    switch (name) {
      case 't_ns':
        ok = isInt(type, true, 64);
        break;
      case 'kind':
        if (DataType.isDictionary(type)) {
          ok = DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary);
          kind = 'dictionary';
        } else {
          ok = isInt(type, false, 8);
        }
        break;
      case 'tid':
        ok = isInt(type, false, 32);
        break;
      case 'addr':
        ok = isInt(type, false, 64);
        break;
      case 'cpu':
        ok = isInt(type, true, 32);
        break;
    }
    if (!ok) throw new InputError({ file }, `Arrow column ${name} has type ${String(type).toLowerCase()}, expected ${EXPECTED[name]}`);
    index[name] = i;
  }
  return { index, kind };
}

function isInt(type: DataType, signed: boolean, bits: number): boolean {
  return DataType.isInt(type) && type.isSigned === signed && type.bitWidth === bits;
}
