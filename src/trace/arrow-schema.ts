/**
 * The trace model as an Arrow schema: the columns we write, the columns we
 * accept on read, and the schema metadata of docs/trace-format.md#trace-metadata.
 */
import { DataType, Dictionary, Field, Int32, Int64, Int8, Schema, Uint32, Uint64, Utf8, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import { COLUMNS, KIND_NAMES } from './schema.js';
import { metaToEntries } from './meta-entries.js';
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
    metaToEntries(meta),
  );
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
