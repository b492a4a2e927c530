/**
 * What QEMU reported at the end of the migration, read from the
 * destination's `query-migrate` result: QMP JSON (with or without the
 * `return` wrapper, or a transcript whose last reply holds it) or the text of
 * HMP `info migrate -a` (QEMU 2.12 to 11.x spellings, wrapped lists, the
 * 24-row latency distribution).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { statInput } from '../trace/input-file.js';
import { LATENCY_BUCKETS, type QemuFigures } from '../replay/result.js';

/** QEMU's names of the figures, in the order QEMU prints them. */
export const FIGURES = [
  'postcopy-blocktime',
  'postcopy-vcpu-blocktime',
  'postcopy-latency',
  'postcopy-vcpu-latency',
  'postcopy-non-vcpu-latency',
  'postcopy-latency-dist',
] as const;
export type FigureName = (typeof FIGURES)[number];

export type Reported = Partial<QemuFigures>;

export interface ExpectedResult {
  path: string;
  form: 'qmp' | 'hmp';
  /** `status` when the result has one (`completed`, `postcopy-active`, ...). */
  status?: string;
  figures: Reported;
}

export async function readExpected(path: string): Promise<ExpectedResult> {
  await statInput(path, "QEMU's query-migrate result (QMP JSON or HMP info migrate text)");
  const text = await readFile(path, 'utf8');
  return parseExpected(text, path);
}

export function parseExpected(text: string, path: string): ExpectedResult {
  const trimmed = text.trim();
  const json = parseQmp(trimmed, path);
  const result: ExpectedResult = json ?? parseHmp(trimmed, path);
  if (Object.keys(result.figures).length === 0) {
    throw new InputError(
      { file: path },
      'no postcopy blocktime figures found; expected the destination\'s query-migrate result (QMP JSON or HMP "info migrate -a") with the postcopy-blocktime capability enabled',
    );
  }
  return result;
}

function parseQmp(text: string, path: string): ExpectedResult | undefined {
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  let candidates: unknown[];
  try {
    candidates = [JSON.parse(text)];
  } catch {
    // A QMP transcript: one message per line; the reply is the last one with figures.
    candidates = [];
    for (const line of text.split('\n').reverse()) {
      try {
        candidates.push(JSON.parse(line));
      } catch {
        // not a JSON line
      }
    }
    if (candidates.length === 0) throw new InputError({ file: path }, 'expected QMP JSON (a query-migrate reply)');
  }
  for (const c of candidates) {
    const obj = unwrap(c);
    if (obj && FIGURES.some((f) => f in obj)) {
      const figures = figuresFromJson(obj, path);
      const r: ExpectedResult = { path, form: 'qmp', figures };
      if (typeof obj.status === 'string') r.status = obj.status;
      return r;
    }
  }
  return { path, form: 'qmp', figures: {} };
}

function unwrap(v: unknown): Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (o.return !== null && typeof o.return === 'object' && !Array.isArray(o.return)) return o.return as Record<string, unknown>;
  return o;
}

function figuresFromJson(o: Record<string, unknown>, path: string): Reported {
  const out: Reported = {};
  const num = (name: FigureName): number | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InputError({ file: path }, `"${name}": expected a non-negative integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const list = (name: FigureName): number[] | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)) {
      throw new InputError({ file: path }, `"${name}": expected a list of non-negative integers`);
    }
    if (v.length > MAX_LIST_VALUES) throw new InputError({ file: path }, `"${name}": more than ${MAX_LIST_VALUES.toLocaleString('en-US')} values; expected one per vCPU`);
    return v as number[];
  };
  const bt = num('postcopy-blocktime');
  if (bt !== undefined) out['postcopy-blocktime'] = bt;
  const vbt = list('postcopy-vcpu-blocktime');
  if (vbt) out['postcopy-vcpu-blocktime'] = vbt;
  const lat = num('postcopy-latency');
  if (lat !== undefined) out['postcopy-latency'] = lat;
  const vlat = list('postcopy-vcpu-latency');
  if (vlat) out['postcopy-vcpu-latency'] = vlat;
  const nlat = num('postcopy-non-vcpu-latency');
  if (nlat !== undefined) out['postcopy-non-vcpu-latency'] = nlat;
  const dist = list('postcopy-latency-dist');
  if (dist) {
    if (dist.length !== LATENCY_BUCKETS) throw new InputError({ file: path }, `"postcopy-latency-dist": expected ${LATENCY_BUCKETS} buckets, got ${dist.length}`);
    out['postcopy-latency-dist'] = dist;
  }
  return out;
}

/** HMP figure lines: label -> figure, and the unit factor to QMP's unit (QEMU 10.1 patches printed microseconds for a while). */
const HMP_SCALARS: Array<[RegExp, FigureName]> = [
  [/^postcopy blocktime(?: \(ms\))?:\s*(\d+)\s*$/i, 'postcopy-blocktime'],
  [/^postcopy latency(?: \((ns|us)\))?:\s*(\d+)\s*$/i, 'postcopy-latency'],
  [/^postcopy non-vcpu latenc(?:y|ies)(?: \((ns|us)\))?:\s*(\d+)\s*$/i, 'postcopy-non-vcpu-latency'],
];
const HMP_LISTS: Array<[RegExp, FigureName]> = [
  [/^postcopy vcpu blocktime(?: \(ms\))?:\s*(.*)$/i, 'postcopy-vcpu-blocktime'],
  [/^postcopy vcpu latencies(?: \((ns|us)\))?:\s*(.*)$/i, 'postcopy-vcpu-latency'],
];

function parseHmp(text: string, path: string): ExpectedResult {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const figures: Reported = {};
  const result: ExpectedResult = { path, form: 'hmp', figures };
  const bad = (i: number, what: string): InputError => new InputError({ file: path, line: i + 1 }, what);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const status = /^(?:migration )?status:\s*(\S+)/i.exec(line);
    if (status && result.status === undefined) result.status = status[1]!;
    let matched = false;
    for (const [re, name] of HMP_SCALARS) {
      const m = re.exec(line);
      if (!m) continue;
      const value = Number(m[m.length - 1]) * (m.length === 3 && m[1]?.toLowerCase() === 'us' ? 1000 : 1);
      // Past 2^53 the figure could not be compared exactly: refused, as in QMP JSON.
      if (!Number.isSafeInteger(value)) throw bad(i, `${quoted(line)}: expected an integer below 2^53`);
      (figures as Record<string, number>)[name] = value;
      matched = true;
      break;
    }
    if (matched) continue;
    for (const [re, name] of HMP_LISTS) {
      const m = re.exec(line);
      if (!m) continue;
      const scale = m.length === 3 && m[1]?.toLowerCase() === 'us' ? 1000 : 1;
      let body = m[m.length - 1]!.trim();
      const start = i;
      if (body === '' || body.startsWith('[')) {
        // `[a, b,` ... `c]`, possibly starting on the next line and wrapping every 10 values.
        // Only each new line is searched for the `]`, and the parts joined once: a list of 200k vCPUs wraps 20k times.
        const parts = [body];
        let closed = body.includes(']');
        while (!closed) {
          i++;
          if (i >= lines.length) throw bad(start, `"${lines[start]!.trim()}": the list has no closing ]`);
          const next = lines[i]!.trim();
          parts.push(next);
          closed = next.includes(']');
        }
        body = parts.join(' ');
        body = body.slice(body.indexOf('[') + 1, body.indexOf(']'));
      }
      const label = quoted(lines[start]!.trim());
      const values = parseIntList(body, (what) => bad(start, `${label}: ${what}`));
      const scaled = values.map((v) => v * scale);
      if (!scaled.every(Number.isSafeInteger)) throw bad(start, `${label}: expected integers below 2^53`);
      (figures as Record<string, number[]>)[name] = scaled;
      matched = true;
      break;
    }
    if (matched) continue;
    if (/^postcopy latency distribution:?\s*$/i.test(line)) {
      const dist: number[] = [];
      while (dist.length < LATENCY_BUCKETS && i + 1 < lines.length) {
        const m = /^\s*\[[^\]]*\]\s*:\s*(\d+)\s*$/.exec(lines[i + 1]!);
        if (!m) break;
        dist.push(Number(m[1]));
        i++;
      }
      if (dist.length !== LATENCY_BUCKETS) throw bad(i + 1, `expected ${LATENCY_BUCKETS} rows "[ a - b ]: count" of the latency distribution, found ${dist.length}`);
      figures['postcopy-latency-dist'] = dist;
    }
  }
  return result;
}

/** A line in an error message: its start only, as a list's line can hold 200k values. */
function quoted(line: string): string {
  return line.length > 60 ? `"${line.slice(0, 60)}..."` : `"${line}"`;
}

/**
 * Most values a reported list may hold, one per vCPU: far above any VM's
 * vCPU count, and a bound on what a short text of ranges (`0-1000000,
 * 0-1000000, ...`) can make us allocate.
 */
export const MAX_LIST_VALUES = 1_000_000;

/** `1, 2, 3`, or QEMU <= 10.0's string-visitor form `1,2,5-7` (a run of consecutive values as a range). */
function parseIntList(body: string, fail: (what: string) => Error): number[] {
  const out: number[] = [];
  const tooMany = (): Error => fail(`more than ${MAX_LIST_VALUES.toLocaleString('en-US')} values; expected one per vCPU`);
  for (const raw of body.split(',')) {
    const tok = raw.trim();
    if (tok === '') continue;
    const range = /^(\d+)-(\d+)$/.exec(tok);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      // Past 2^53, v++ would stand still.
      if (!Number.isSafeInteger(b) || b < a) throw fail('expected a list of integers, or ranges a-b with a <= b');
      if (out.length + (b - a + 1) > MAX_LIST_VALUES) throw tooMany();
      for (let v = a; v <= b; v++) out.push(v);
    } else if (/^\d+$/.test(tok) && Number.isSafeInteger(Number(tok))) {
      if (out.length === MAX_LIST_VALUES) throw tooMany();
      out.push(Number(tok));
    } else {
      throw fail('expected a list of integers');
    }
  }
  return out;
}
