/**
 * Runs one native session to its end: starts the threads, drains the event
 * ring every few milliseconds into TraceBatch columns (thousands of rows per
 * call), hands full batches to the sink, and returns the live figures once
 * every thread has been joined and every event delivered.
 */
import { UnavailableError } from '../../errors.js';
import { allocBatch, sliceBatch, type TraceBatch } from '../../trace/batch.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_PAGE_SIZE, type TraceMeta } from '../../trace/schema.js';
import type { NativeAddon, NativeResult, SessionHandle } from './addon.js';
import { nativeSource, toNativeConfig, type NativeOptions } from './options.js';

export interface BatchSink {
  write(batch: TraceBatch): Promise<void>;
}

export interface SessionRun {
  meta: TraceMeta;
  rows: number;
  live: NativeResult;
}

export interface SessionOptions {
  /** Aborting stops the capture early, cleanly (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Rows per batch handed to the sink. */
  batchRows?: number;
  /** How often the ring is drained, ms. */
  pollMs?: number;
}

/** A batch is handed on when full, or when it is this old, so a stream on disk stays close to live. */
const FLUSH_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSession(
  addon: NativeAddon,
  options: NativeOptions,
  openSink: (meta: TraceMeta) => Promise<BatchSink>,
  opts: SessionOptions = {},
): Promise<SessionRun> {
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  const pollMs = opts.pollMs ?? 5;
  let started: ReturnType<NativeAddon['start']>;
  try {
    started = addon.start(toNativeConfig(options));
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'EUNAVAILABLE') throw new UnavailableError(`native capture is unavailable: ${e.message}`);
    throw err;
  }
  const h: SessionHandle = started.handle;
  const stop = (): void => addon.stop(h);
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop();
  try {
    const meta: TraceMeta = {
      pageSize: DEFAULT_PAGE_SIZE,
      vcpus: options.vcpus,
      startNs: started.startNs,
      source: nativeSource(options),
    };
    const sink = await openSink(meta);
    let rows = 0;
    let batch = allocBatch(batchRows, 0);
    let filled = 0;
    let lastFlush = Date.now();
    const flush = async (): Promise<void> => {
      if (filled === 0) return;
      const full = sliceBatch(batch, filled, rows - filled);
      batch = allocBatch(batchRows, rows);
      filled = 0;
      lastFlush = Date.now();
      await sink.write(full);
    };
    // Drains until the ring is empty; returns when nothing was left.
    const drainAll = async (): Promise<void> => {
      for (;;) {
        const n = addon.drain(h, batch.t, batch.kind, batch.tid, batch.addr, batch.cpu, filled);
        filled += n;
        rows += n;
        if (filled === batchRows) await flush();
        else if (n === 0) return;
      }
    };
    for (;;) {
      // Read `done` first: once it is set, every event is already in the ring.
      const done = addon.done(h);
      await drainAll();
      if (done) break;
      if (Date.now() - lastFlush >= FLUSH_MS) await flush();
      await sleep(pollMs);
    }
    await flush();
    return { meta, rows, live: addon.result(h) };
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    addon.release(h);
  }
}
