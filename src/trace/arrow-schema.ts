/**
 * The trace model as an Arrow schema: the columns we write, the columns we
 * accept on read, and the schema metadata of docs/trace-format.md#trace-metadata.
 */
import { DataType, Dictionary, Field, Int32, Int64, Int8, Schema, TimeUnit, Uint32, Uint64, Utf8, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import { COLUMNS, KIND_NAMES } from './schema.js';
import { metaToEntries } from './meta-entries.js';
import type { KindEncoding } from './arrow-kind.js';
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

/** The numeric columns, by name. */
export type NumericColumn = 't_ns' | 'tid' | 'addr' | 'cpu';

export interface ArrowColumns {
  /** Child index of each column in the record batches. */
  index: Record<(typeof COLUMNS)[number], number>;
  kind: KindEncoding;
  /** Numeric columns stored as another integer type than the model's: converted once per batch. */
  converted: Record<NumericColumn, boolean>;
}

const EXPECTED: Record<(typeof COLUMNS)[number], string> = {
  t_ns: 'int64 nanoseconds (or another integer type, or timestamp[ns])',
  kind: 'utf8 or large_utf8 strings, a dictionary of them, or integer codes',
  tid: 'uint32 (or another integer type)',
  addr: 'uint64 (or another integer type)',
  cpu: 'int32 (or another integer type)',
};

/** Each column's type as we write it. */
const WRITTEN: Record<(typeof COLUMNS)[number], string> = { t_ns: 'int64', kind: 'dictionary<utf8>', tid: 'uint32', addr: 'uint64', cpu: 'int32' };

/** The model's type of each numeric column, read as a view when the file has it. */
const MODEL: Record<NumericColumn, { signed: boolean; bits: number }> = {
  t_ns: { signed: true, bits: 64 },
  tid: { signed: false, bits: 32 },
  addr: { signed: false, bits: 64 },
  cpu: { signed: true, bits: 32 },
};

/**
 * Finds the five columns by name and checks that their types can be read;
 * extra columns are ignored. Integer columns of any width are read when
 * their values fit (checked per batch); what cannot be read at all (floats,
 * strings where numbers belong, timestamps of another unit) is refused here,
 * naming the column.
 */
export function checkArrowSchema(schema: Schema, file: string): ArrowColumns {
  const index = {} as Record<(typeof COLUMNS)[number], number>;
  const converted = { t_ns: false, tid: false, addr: false, cpu: false };
  let kind: KindEncoding = 'codes';
  for (const name of COLUMNS) {
    const i = schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw new InputError({ file }, `Arrow schema has no column ${name} (expected ${name}: ${WRITTEN[name]})`);
    const type = schema.fields[i]!.type as DataType;
    let ok: boolean;
    if (name === 'kind') {
      if (DataType.isDictionary(type)) {
        ok = isString(type.dictionary) && DataType.isInt(type.indices);
        kind = 'dictionary';
      } else if (isString(type)) {
        ok = true;
        kind = 'strings';
      } else {
        ok = DataType.isInt(type);
      }
    } else if (name === 't_ns' && DataType.isTimestamp(type)) {
      ok = type.unit === TimeUnit.NANOSECOND;
    } else {
      ok = DataType.isInt(type);
      const model = MODEL[name];
      converted[name] = DataType.isInt(type) && !(type.isSigned === model.signed && type.bitWidth === model.bits);
    }
    if (!ok) throw new InputError({ file }, `Arrow column ${name} has type ${String(type).toLowerCase()}, expected ${EXPECTED[name]}`);
    index[name] = i;
  }
  return { index, kind, converted };
}

function isString(type: DataType): boolean {
  return DataType.isUtf8(type) || DataType.isLargeUtf8(type);
}
