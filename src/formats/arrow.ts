/**
 * Arrow IPC, the file format (`.arrow`, random access, a footer) and the
 * stream format (`.arrows`, written and read front to back). A regular
 * uncompressed file is read through a file handle; anything else (a pipe, a
 * decompressed file) as a stream, an IPC file as the stream inside it.
 */
import { startsAsArrowFile, startsAsArrowStream } from '../trace/arrow-magic.js';
import { byteChunks, type TraceInput } from '../trace/byte-input.js';
import type { TraceEncoder } from '../trace/encoder.js';
import type { TraceMeta } from '../trace/schema.js';
import type { FormatEntry, OpenedFormat, ReadOptions } from './format.js';

async function openArrowInput(input: TraceInput, opts: ReadOptions, layout: 'as the bytes say' | 'stream'): Promise<OpenedFormat> {
  const { openArrow, openArrowPipe } = await import('../trace/arrow-reader.js');
  const warning = opts.onWarning ? { onWarning: opts.onWarning } : {};
  if (input.path !== undefined) {
    const progress = opts.onProgress ? { onProgress: opts.onProgress } : {};
    return { reader: await openArrow(input.path, { ...(layout === 'stream' ? { layout } : {}), ...progress, ...warning }) };
  }
  const bytes = await input.open();
  const report = opts.onProgress;
  try {
    const reader = await openArrowPipe(byteChunks(bytes), input.name, {
      ...warning,
      ...(report ? { onProgress: () => report(bytes.consumed, input.size) } : {}),
    });
    return { reader: { ...reader, close: () => bytes.close() } };
  } catch (err) {
    await bytes.close();
    throw err;
  }
}

async function arrowEncoder(layout: 'file' | 'stream', meta: TraceMeta): Promise<TraceEncoder> {
  const { createArrowEncoder } = await import('../trace/arrow-writer.js');
  return createArrowEncoder(meta, layout);
}

export const ARROW_FILE = {
  name: 'arrow',
  title: 'Arrow IPC file',
  extensions: ['.arrow'],
  magic: startsAsArrowFile,
  open: (input, opts) => openArrowInput(input, opts, 'as the bytes say'),
  createEncoder: (meta) => arrowEncoder('file', meta),
} as const satisfies FormatEntry;

export const ARROW_STREAM = {
  name: 'arrows',
  title: 'Arrow IPC stream',
  extensions: ['.arrows'],
  magic: startsAsArrowStream,
  // Named as a stream: also read the stream inside an IPC file whose footer never came.
  open: (input, opts) => openArrowInput(input, opts, 'stream'),
  createEncoder: (meta) => arrowEncoder('stream', meta),
} as const satisfies FormatEntry;
