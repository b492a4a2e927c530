/**
 * Every file blocktime writes appears only when complete: its bytes go to a
 * temporary name beside it (the same directory, so that the rename is
 * atomic), which `commit` renames into place and `discard` removes. The
 * temporary name is held in early-stop.ts meanwhile, so that a signal or
 * an exit removes it too. The file system's refusals (a full disk, a
 * read-only one, a missing directory) name the output and the cause, exit 2.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError, asWriteError } from './errors.js';
import { holdTemporaryPath, isTemporaryPathHeld, releaseTemporaryPath } from './early-stop.js';

/**
 * Drawn once per process: temporary names a stranger sharing the directory
 * cannot guess (to put a symbolic link there), yet known before a writer
 * that is not ours (DuckDB's COPY) opens them.
 */
const TOKEN = randomBytes(6).toString('hex');

/** The temporary name of `path` in this process: `.NAME.PID-TOKEN.tmp` beside it. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${TOKEN}.tmp`);
}

/** An output's temporary name, which some writer fills, then renamed into place or removed. */
export interface ReservedOutput {
  readonly path: string;
  readonly temporary: string;
  /** Renames the temporary file to `path`. */
  commit(): Promise<void>;
  /** Removes what was written; `path` is never touched. */
  discard(): Promise<void>;
}

/** For a writer that opens the file itself (DuckDB's COPY): the name to give it, held until commit or discard. */
export function reserveOutput(path: string): ReservedOutput {
  const temporary = temporaryPath(path);
  if (isTemporaryPathHeld(temporary)) throw new UsageError(`${path}: already being written`);
  holdTemporaryPath(temporary, { output: path });
  const discard = async (): Promise<void> => {
    await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    releaseTemporaryPath(temporary);
  };
  return {
    path,
    temporary,
    async commit() {
      try {
        await rename(temporary, path);
        releaseTemporaryPath(temporary);
      } catch (err) {
        await discard();
        throw asWriteError(err, path);
      }
    },
    discard,
  };
}

/** A file written in chunks under its temporary name. */
export interface OutputFile {
  readonly path: string;
  write(chunks: readonly Uint8Array[]): Promise<void>;
  /** Flushes to the disk and closes, leaving only the rename: for outputs that appear together. On failure the temporary file is removed. */
  finish(): Promise<void>;
  /** Finishes if not yet done, and renames into place. On failure the temporary file is removed. */
  commit(): Promise<void>;
  /** Removes what was written; `path` is never touched. */
  discard(): Promise<void>;
}

export async function createOutputFile(path: string): Promise<OutputFile> {
  const reserved = reserveOutput(path);
  let fh: FileHandle;
  try {
    fh = await open(reserved.temporary, 'wx');
  } catch (err) {
    releaseTemporaryPath(reserved.temporary);
    throw asWriteError(err, path);
  }
  let handleOpen = true;
  const closeHandle = async (): Promise<void> => {
    if (!handleOpen) return;
    handleOpen = false;
    await fh.close();
  };
  const discard = async (): Promise<void> => {
    await closeHandle().catch(() => undefined);
    await reserved.discard();
  };
  const finish = async (): Promise<void> => {
    if (!handleOpen) return;
    try {
      await fh.sync();
      await closeHandle();
    } catch (err) {
      await discard();
      throw asWriteError(err, path);
    }
  };
  return {
    path,
    async write(chunks) {
      if (chunks.length === 0) return;
      try {
        let total = 0;
        for (const c of chunks) total += c.byteLength;
        const { bytesWritten } = await fh.writev(chunks as Uint8Array[]);
        if (bytesWritten < total) await writeRest(fh, chunks, bytesWritten);
      } catch (err) {
        throw asWriteError(err, path);
      }
    },
    finish,
    async commit() {
      await finish();
      await reserved.commit();
    },
    discard,
  };
}

/** All of `data` as the file `path`, which appears only when complete. */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  const out = await createOutputFile(path);
  try {
    await out.write([typeof data === 'string' ? Buffer.from(data) : data]);
    await out.commit();
  } catch (err) {
    await out.discard();
    throw err;
  }
}

/** A short writev (a full disk, a signal) leaves a tail to write; write it plainly, which reports the error if there is one. */
async function writeRest(fh: FileHandle, chunks: readonly Uint8Array[], done: number): Promise<void> {
  let skip = done;
  for (const c of chunks) {
    if (skip >= c.byteLength) {
      skip -= c.byteLength;
      continue;
    }
    let rest = c.subarray(skip);
    skip = 0;
    while (rest.byteLength > 0) {
      const { bytesWritten } = await fh.write(rest);
      rest = rest.subarray(bytesWritten);
    }
  }
}
