/**
 * One QEMU log's request-path and phase events, read whole (docs/latency.md):
 * `latency` joins two of these. Times are the prefix's wall clock in exact
 * int64 ns; a log without timed prefixes cannot be joined.
 */
import { InputError } from '../errors.js';
import { openInput } from '../formats/input.js';
import { parsePathEvent, pathEventKindAt, type PathEvent, type PathEventName } from '../import/qemu-log/path-lines.js';
import { newPrefix, readPrefix, type PrefixForm } from '../import/qemu-log/prefix.js';
import { lineChunks } from '../import/qemu-log/reader.js';

/** An event with where and when it was written. */
export type LoggedEvent = PathEvent & {
  /** Prefix time, ns since the epoch. */
  t: bigint;
  /** The thread that wrote the line (`tid` prefix), else 0: one writer for the whole log. */
  tid: number;
  /** 1-based line in the log. */
  line: number;
};

export interface PathLog {
  file: string;
  prefix: Exclude<PrefixForm, 'none'>;
  events: LoggedEvent[];
  /** How many lines of each event the log holds. */
  counts: Partial<Record<PathEventName, number>>;
  /** The first and last prefix times of any line: the log's span (the end of its last phase). */
  firstT: bigint;
  lastT: bigint;
}

const NS = 1_000_000_000n;

/** `only`: keep just these events (the phases need two kinds of line of a log that may hold millions). */
export async function readPathLog(file: string, only?: ReadonlySet<PathEventName>): Promise<PathLog> {
  const input = await openInput(file);
  const p = newPrefix();
  const events: LoggedEvent[] = [];
  const counts: Partial<Record<PathEventName, number>> = {};
  let form: Exclude<PrefixForm, 'none'> | undefined;
  let firstT: bigint | undefined;
  let lastT = 0n;
  let lineNo = 0;
  try {
    for await (const chunk of lineChunks(input)) {
      for (const line of chunk) {
        lineNo++;
        readPrefix(line, p);
        if (p.form === 'none') continue;
        const t = BigInt(p.sec) * NS + BigInt(p.frac);
        firstT ??= t;
        if (t > lastT) lastT = t;
        if (only !== undefined) {
          // Lines of events not asked for are not parsed, nor judged when damaged (the importer judges its own).
          const kind = pathEventKindAt(line, p.rest);
          if (kind !== undefined && !only.has(kind)) continue;
        }
        const e = parsePathEvent(line, p.rest);
        if (e === undefined) continue;
        if (typeof e === 'string') throw new InputError({ file, line: lineNo }, e);
        if (only !== undefined && !only.has(e.ev)) continue;
        if (form !== undefined && p.form !== form) {
          throw new InputError({ file, line: lineNo }, `a ${p.form} line prefix in a log of ${form} prefixes; expected one form per file`);
        }
        form = p.form;
        counts[e.ev] = (counts[e.ev] ?? 0) + 1;
        events.push({ ...e, t, tid: p.form === 'tid' ? p.writerTid : 0, line: lineNo });
      }
    }
  } finally {
    await input.close();
  }
  if (firstT === undefined || (form === undefined && only === undefined)) {
    throw new InputError({ file }, 'no timed migration events; expected a QEMU trace log written with -msg timestamp=on and the events of docs/latency.md');
  }
  return { file, prefix: form ?? 'tid', events, counts, firstT, lastT };
}
