/**
 * Arrow IPC encoders (stream and file format). A batch becomes one record
 * batch whose buffers are the batch's own typed arrays: no per-row work.
 */
import {
  AsyncByteQueue,
  Message,
  Int32,
  Int64,

  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Struct,
  Uint32,
  Uint64,
  makeData,
} from 'apache-arrow';
import type { RecordBatchWriter, Schema } from 'apache-arrow';
import type { TraceBatch } from './batch.js';
import type { TraceEncoder } from './encoder.js';
import type { TraceMeta } from './schema.js';
import { KIND_DICTIONARY, KIND_TYPE, traceArrowSchema } from './arrow-schema.js';

/** Collects what the Arrow writer emits so that we decide when it reaches the disk. */
class ChunkSink extends AsyncByteQueue {
  take(): Uint8Array[] {
    return this._values.splice(0) as Uint8Array[];
  }
}

/**
 * The file format is the stream format between a leading magic and a
 * footer; Arrow JS leaves the stream's schema message out (readers take the
 * schema from the footer). We keep it, as the format allows, so that a file
 * whose footer was never written (a capture killed hard) still reads as a
 * stream.
 */
class RecoverableFileWriter extends RecordBatchFileWriter {
  protected override _writeSchema(schema: Schema): this {
    super._writeSchema(schema);
    return this._writeMessage(Message.from(schema));
  }
}

export function createArrowEncoder(meta: TraceMeta, layout: 'stream' | 'file'): TraceEncoder {
  const schema = traceArrowSchema(meta);
  const sink = new ChunkSink();
  const writer: RecordBatchWriter = layout === 'file' ? new RecoverableFileWriter() : new RecordBatchStreamWriter();
  writer.reset(sink, schema);
  return {
    encode(batch) {
      writer.write(toRecordBatch(schema, batch));
      return sink.take();
    },
    finish() {
      // An empty trace still gets its schema: reset() above already emitted it.
      writer.finish();
      return sink.take();
    },
  };
}

function toRecordBatch(schema: Schema, b: TraceBatch): RecordBatch {
  const length = b.length;
  const kind = new Int8Array(b.kind.buffer, b.kind.byteOffset, length);
  const children = [
    makeData({ type: new Int64(), length, nullCount: 0, data: b.t.subarray(0, length) }),
    makeData({ type: KIND_TYPE, length, nullCount: 0, data: kind, dictionary: KIND_DICTIONARY }),
    makeData({ type: new Uint32(), length, nullCount: 0, data: b.tid.subarray(0, length) }),
    makeData({ type: new Uint64(), length, nullCount: 0, data: b.addr.subarray(0, length) }),
    makeData({ type: new Int32(), length, nullCount: 0, data: b.cpu.subarray(0, length) }),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}
