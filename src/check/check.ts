/**
 * `analyze TRACE --expect RESULT`: does the replay under the design QEMU
 * used agree with what QEMU reported? TRACE is a QEMU log (imported on the
 * fly) or a trace file (an imported log carries its design in
 * `blocktime.source`, and its accounting side table sits beside it).
 */
import { access } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { openTrace, type OpenOptions, type OpenedTrace } from '../formats/open.js';
import type { TraceFormat } from '../formats/registry.js';
import { accountingPath, type AccountingBatch } from '../import/qemu-log/accounting.js';
import { readAccounting } from '../import/qemu-log/accounting-file.js';
import type { MappingStats } from '../import/qemu-log/mapping.js';
import { GENERATION_LABEL, type Generation } from '../import/qemu-log/scan.js';
import { generationOfVersion } from '../import/qemu-log/source.js';
import { replayTrace } from '../replay/engine.js';
import type { AnalysisResult } from '../replay/result.js';
import type { TraceBatch } from '../trace/batch.js';
import type { TraceSource } from '../trace/source.js';
import { allocAccounting } from '../import/qemu-log/row-queue.js';
import { explainDisagreements, type Disagreement, type RowPair, type RunningTotalCheck } from './explain.js';
import { readExpected, type ExpectedResult } from './expected.js';
import { compareFigures, type FigureCheck } from './figures.js';
import { defaultTolerance } from './tolerance.js';

export interface CheckOptions {
  /** QEMU's `query-migrate` result (QMP JSON or HMP text). */
  expect: string;
  /** Fraction of each figure; default by design (see tolerance.ts). */
  tolerance?: number;
  vcpus?: number;
  pageSize?: number;
  format?: TraceFormat;
  qemuVersion?: string;
  lenient?: boolean;
  /** Name the first K disagreements with QEMU's accounting lines. */
  explain?: number;
  onWarning?: (message: string) => void;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  onRows?: (rows: number) => void;
}

export interface CheckResult {
  trace: string;
  expect: string;
  expect_form: ExpectedResult['form'];
  status?: string;
  qemu: string;
  design: Generation;
  design_from: 'log' | 'trace metadata' | '--qemu-version' | 'reported figures';
  vcpus: number;
  vcpus_from: 'option' | 'expect' | 'trace';
  /** Fraction of each figure accepted as difference. */
  tolerance: number;
  pass: boolean;
  compared: number;
  mismatches: number;
  figures: FigureCheck[];
  /** QEMU logs: what the import's mapping rules did. */
  mapping?: MappingStats;
  explain?: Disagreement[];
  /** QEMU <= 10.0 with its accounting lines at hand: the replay's running total against QEMU's at every end line. */
  running_total?: RunningTotalCheck;
  /**
   * QEMU <= 10.0: the trace shows QEMU's own race (an `erase` row found its
   * slot released), after which its count of blocked vCPUs stayed one too
   * low and its total blocktime could not grow.
   */
  race?: {
    message: string;
    row: number;
    t_ns: string;
    at_ms: number;
    /** Total blocktime the drift kept QEMU from reporting, in ms, and `exact`'s total beside it. */
    unreported_total_ms: number;
    exact_total_ms: number;
  };
  /**
   * QEMU <= 10.0 rows the log cannot decide (which vCPU an end line counted
   * among racing faults on one page; end lines the faults do not explain;
   * faults whose lines are missing), and a `postcopy-blocktime` range that
   * holds QEMU's figure whichever way they went: from the largest running
   * total QEMU printed (its total never shrinks) to the last row's
   * millisecond on its clock (no window of all vCPUs down outlasts the
   * accounting); [0, 0] when the accounting lines are not at hand.
   */
  undecided?: { rows: number; races_undecided: number; ends_unexplained: number; resolves_not_found: number; begins_without_request: number; total_ms_range: [number, number] };
  /** Why `--explain` found nothing to compare with. */
  explain_unavailable?: string;
  results: { design: AnalysisResult; exact: AnalysisResult };
}

export async function checkAgainstQemu(trace: string, opts: CheckOptions): Promise<CheckResult> {
  const expected = await readExpected(opts.expect);
  const listed = expected.figures['postcopy-vcpu-blocktime']?.length;
  const vcpus = opts.vcpus ?? (listed !== undefined && listed > 0 ? listed : undefined);
  const open = (quiet: boolean): Promise<OpenedTrace> => {
    const o: OpenOptions = {};
    if (opts.format !== undefined) o.format = opts.format;
    if (vcpus !== undefined) o.vcpus = vcpus;
    if (opts.pageSize !== undefined) o.pageSize = opts.pageSize;
    if (opts.qemuVersion !== undefined) o.qemuVersion = opts.qemuVersion;
    if (opts.lenient) o.lenient = true;
    if (!quiet && opts.onWarning) o.onWarning = opts.onWarning;
    if (!quiet && opts.onProgress) o.onProgress = opts.onProgress;
    return openTrace(trace, o);
  };

  const source = await open(false);
  let design: Generation;
  let designFrom: CheckResult['design_from'];
  const recorded = source.meta.source;
  if (source.qemu) {
    design = source.qemu.scan.generation;
    designFrom = source.qemu.scan.generationFrom === 'option' ? '--qemu-version' : 'log';
  } else if (opts.qemuVersion !== undefined) {
    design = generationOfVersion(opts.qemuVersion);
    designFrom = '--qemu-version';
  } else if (recorded?.kind === 'qemu-log' && (recorded.design === 'atomic' || recorded.design === 'mutex')) {
    design = recorded.design;
    designFrom = 'trace metadata';
  } else {
    // Only QEMU 10.1 and later report latencies.
    design = expected.figures['postcopy-latency'] !== undefined || expected.figures['postcopy-latency-dist'] !== undefined ? 'mutex' : 'atomic';
    designFrom = 'reported figures';
  }

  let outcome;
  try {
    outcome = await replayTrace(source, [design, 'exact'], opts.onRows ? { onProgress: opts.onRows } : {});
  } finally {
    await source.close();
  }
  const mapping: MappingStats | undefined = source.qemu?.stats;
  const mine = outcome.results[design]!;
  const exact = outcome.results.exact!;
  if (listed !== undefined && listed !== mine.vcpus) {
    opts.onWarning?.(`${opts.expect} reports ${listed} vCPUs, the trace has N = ${mine.vcpus}`);
  }
  const tolerance = opts.tolerance ?? defaultTolerance(design);
  const figures = compareFigures(expected.figures, mine, exact, tolerance);
  const compared = figures.filter((f) => f.ok !== null).length;
  const mismatches = figures.filter((f) => f.ok === false).length;
  const result: CheckResult = {
    trace,
    expect: opts.expect,
    expect_form: expected.form,
    qemu: GENERATION_LABEL[design],
    design,
    design_from: designFrom,
    vcpus: mine.vcpus,
    vcpus_from: opts.vcpus !== undefined ? 'option' : vcpus !== undefined ? 'expect' : 'trace',
    tolerance,
    pass: mismatches === 0 && compared > 0,
    compared,
    mismatches,
    figures,
    results: { design: mine, exact },
  };
  if (expected.status !== undefined) result.status = expected.status;
  if (mapping) result.mapping = mapping;
  const drift = mine.diagnostics?.blocked_count_drift;
  if (drift) {
    const exactMs = Math.floor(exact.total_blocktime_ns / 1e6);
    result.race = {
      message: `QEMU's count of blocked vCPUs drifted at row ${drift.row} (t = ${drift.at_ms} ms on QEMU's clock): from then on its total blocktime could not grow; ${drift.unreported_total_ms} ms of total blocktime went unreported (exact total: ${exactMs} ms)`,
      row: drift.row,
      t_ns: drift.t_ns,
      at_ms: drift.at_ms,
      unreported_total_ms: drift.unreported_total_ms,
      exact_total_ms: exactMs,
    };
  }
  if (mapping && design === 'atomic') {
    const rows = mapping.races_undecided + mapping.ends_unexplained + mapping.resolves_not_found + mapping.begins_without_request;
    if (rows > 0) {
      result.undecided = {
        rows,
        races_undecided: mapping.races_undecided,
        ends_unexplained: mapping.ends_unexplained,
        resolves_not_found: mapping.resolves_not_found,
        begins_without_request: mapping.begins_without_request,
        total_ms_range: [0, 0],
      };
    }
  }

  const explain = opts.explain !== undefined && opts.explain > 0 ? opts.explain : 0;
  if (explain > 0 || design === 'atomic') {
    const pairs = await accountingPairs(trace, open);
    if (typeof pairs === 'string') {
      if (explain > 0) result.explain_unavailable = pairs;
    } else {
      const outcome = await explainDisagreements(pairs.rows, pairs.meta, design, mine.vcpus, explain, design === 'atomic');
      if (explain > 0) result.explain = outcome.found;
      if (outcome.running_total) {
        result.running_total = outcome.running_total;
        // QEMU's total never shrinks and is reported after its last end line; it cannot exceed the time accounting ran.
        if (result.undecided) result.undecided.total_ms_range = [outcome.running_total.qemu_max_total_ms, Math.max(outcome.running_total.last_ms, outcome.running_total.qemu_max_total_ms)];
      }
    }
  }
  return result;
}

/** The trace's rows with QEMU's accounting beside them, or why there are none. */
async function accountingPairs(
  trace: string,
  open: (quiet: boolean) => Promise<OpenedTrace>,
): Promise<{ rows: AsyncIterable<RowPair>; meta: TraceSource['meta'] } | string> {
  const source = await open(true);
  if (source.qemu) return { rows: source.qemu.pairs(), meta: source.meta };
  const side = accountingPath(trace);
  try {
    await access(side);
  } catch {
    await source.close();
    return `no QEMU accounting lines beside ${trace} (expected ${side}, written by blocktime import qemu-log); run --explain on the log itself`;
  }
  return { rows: alignAccounting(source, readAccounting(side)), meta: source.meta };
}

/** Re-cuts the side table's batches to the trace's batch boundaries. */
async function* alignAccounting(source: TraceSource, side: AsyncIterable<AccountingBatch>): AsyncGenerator<RowPair> {
  const it = side[Symbol.asyncIterator]();
  let cur: AccountingBatch | undefined;
  let off = 0;
  try {
    for await (const batch of source.batches() as AsyncIterable<TraceBatch>) {
      const out = allocAccounting(batch.length, batch.firstRow);
      let filled = 0;
      while (filled < batch.length) {
        if (!cur || off >= cur.length) {
          const next = await it.next();
          if (next.done) throw new InputError({ file: accountingPath(source.path), row: batch.firstRow + filled + 1 }, 'the accounting table ends before the trace; expected one record per trace row (re-import the log)');
          cur = next.value;
          off = 0;
          continue;
        }
        const n = Math.min(cur.length - off, batch.length - filled);
        out.line.set(cur.line.subarray(off, off + n), filled);
        out.event.set(cur.event.subarray(off, off + n), filled);
        out.cpu.set(cur.cpu.subarray(off, off + n), filled);
        out.ms.set(cur.ms.subarray(off, off + n), filled);
        out.flag.set(cur.flag.subarray(off, off + n), filled);
        out.affected.set(cur.affected.subarray(off, off + n), filled);
        out.affectedNonCpus.set(cur.affectedNonCpus.subarray(off, off + n), filled);
        out.released.set(cur.released.subarray(off, off + n), filled);
        out.releasedLeft.set(cur.releasedLeft.subarray(off, off + n), filled);
        off += n;
        filled += n;
      }
      yield { batch, acct: out };
    }
  } finally {
    await source.close();
  }
}
