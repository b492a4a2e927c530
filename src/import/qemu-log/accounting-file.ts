/**
 * The accounting side table on disk: an Arrow IPC file beside the imported
 * trace (`trace.arrow` -> `trace.qemu.arrow`), one record per trace row in
 * trace order, written under a temporary name and renamed when complete.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  AsyncByteQueue,
  Field,
  Float64,
  Int32,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  Struct,
  Uint32,
  Uint8,
  makeData,
  type DataType,
} from 'apache-arrow';
import { InputError } from '../../errors.js';
import { createOutputFile } from '../../output-file.js';
import { ACCOUNTING_COLUMNS, type AccountingBatch } from './accounting.js';

/** Schema metadata key: JSON `{ "design": "atomic" | "mutex", "trace": file name }`. */
export const ACCOUNTING_META = 'blocktime.qemu_accounting';

const TYPES: DataType[] = [new Float64(), new Uint8(), new Int32(), new Uint32(), new Uint8(), new Uint32(), new Uint32(), new Uint32(), new Uint32()];

function schemaFor(info: Record<string, unknown>): Schema {
  const fields = ACCOUNTING_COLUMNS.map((name, i) => new Field(name, TYPES[i]!, false));
  return new Schema(fields, new Map([[ACCOUNTING_META, JSON.stringify(info)]]));
}

function columnsOf(a: AccountingBatch): Array<Float64Array | Uint8Array | Int32Array | Uint32Array> {
  return [a.line, a.event, a.cpu, a.ms, a.flag, a.affected, a.affectedNonCpus, a.released, a.releasedLeft];
}

class ChunkSink extends AsyncByteQueue {
  take(): Uint8Array[] {
    return this._values.splice(0) as Uint8Array[];
  }
}

export interface AccountingWriter {
  write(batch: AccountingBatch): Promise<void>;
  /** Writes the footer and flushes to the disk: only the rename is left, so that the table and its trace appear together. */
  finish(): Promise<void>;
  /** Finishes if not yet done, and renames into place. */
  close(): Promise<void>;
  abort(): Promise<void>;
}

export async function createAccountingWriter(path: string, info: Record<string, unknown>): Promise<AccountingWriter> {
  const schema = schemaFor(info);
  const sink = new ChunkSink();
  const writer = new RecordBatchFileWriter();
  writer.reset(sink, schema);
  const out = await createOutputFile(path);
  const flush = (): Promise<void> => out.write(sink.take());
  let state: 'open' | 'finished' | 'done' = 'open';
  const finish = async (): Promise<void> => {
    if (state !== 'open') return;
    state = 'finished';
    writer.finish();
    await flush();
    await out.finish();
  };
  return {
    async write(a) {
      const length = a.length;
      const children = columnsOf(a).map((data, i) => makeData({ type: TYPES[i]!, length, nullCount: 0, data } as never));
      writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children })));
      await flush();
    },
    finish,
    async close() {
      await finish();
      state = 'done';
      await out.commit();
    },
    async abort() {
      if (state === 'done') return;
      state = 'done';
      await out.discard();
    },
  };
}

/** Reads a side table back, batch by batch, checking its columns. */
export async function* readAccounting(path: string): AsyncGenerator<AccountingBatch> {
  const fh = await open(path, 'r');
  try {
    let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
    try {
      reader = await RecordBatchReader.from(fh as unknown as FileHandle);
      await reader.open();
    } catch (err) {
      throw new InputError({ file: path }, `expected an Arrow IPC file (${(err as Error).message})`);
    }
    const names = reader.schema.fields.map((f: Field) => f.name);
    if (ACCOUNTING_COLUMNS.some((c, i) => names[i] !== c)) {
      throw new InputError({ file: path }, `expected a QEMU accounting table with columns ${ACCOUNTING_COLUMNS.join(', ')}`);
    }
    let firstRow = 0;
    for await (const rb of reader as AsyncIterable<RecordBatch>) {
      const col = (i: number): never => rb.getChildAt(i)!.toArray() as never;
      yield {
        length: rb.numRows,
        firstRow,
        line: col(0),
        event: col(1),
        cpu: col(2),
        ms: col(3),
        flag: col(4),
        affected: col(5),
        affectedNonCpus: col(6),
        released: col(7),
        releasedLeft: col(8),
      };
      firstRow += rb.numRows;
    }
  } finally {
    await fh.close();
  }
}
