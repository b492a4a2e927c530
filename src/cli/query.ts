import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ExitCode, InputError, QueryError, UsageError } from '../errors.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { copyToFile } from '../sql/copy-to-file.js';
import { OUTPUT_FORMATS, type OutputFormat, writeResult } from './terminal/result-format.js';
import { consumeResult, hasRows, runStatement } from '../sql/run-sql.js';
import { runShell, sinkFor } from './terminal/sql-shell.js';
import { type LocatedStatement, locateStatements } from '../sql/statements.js';
import { type ReloadReason, type StoredLoad, openTraceDatabase, storedLoad } from '../sql/trace-database.js';
import { printableFleetViews, printableViews } from '../sql/views.js';
import { openFleetDatabase } from '../sql/fleet-database.js';
import { expandTraceInputs } from '../fleet/inputs.js';
import { openTrace, type OpenOptions } from '../formats/open.js';
import { withExamples } from './help-examples.js';
import { TRACE_ARGUMENT, addInputFormatOption, parsePageSize, parsePositiveInt, parseVcpus } from './options/trace-options.js';
import { WINDOW_HELP, addWindowOptions, type WindowOptionValues, windowOf } from './options/window-options.js';
import { addStatusOptions, type StatusOptionValues } from './options/status-options.js';
import { createStatus } from './terminal/status.js';

interface QueryOptions extends WindowOptionValues, StatusOptionValues {
  file?: string;
  format?: OutputFormat;
  output?: string;
  db?: string;
  safe?: boolean;
  printViews?: boolean;
  maxRows: number;
  jobs?: number;
  vcpus?: number;
  pageSize?: number;
  inputFormat?: OpenOptions['format'];
}

export function register(program: Command): void {
  const cmd = program
    .command('query')
    .description('Ask a trace questions in SQL (DuckDB, in process): its events, faults, blocked intervals and replay results.')
    .argument(
      '[traces-and-sql...]',
      `traces (${TRACE_ARGUMENT}), or directories of them, then the statements to run, separated by ";": the last argument is the SQL when it names no file or directory (without SQL or -f: an interactive shell); several traces or a directory query them all, with a trace column`,
    )
    .option('-f, --file <file.sql>', 'run the statements in this file, printing each result')
    .addOption(
      new Option('--format <format>', 'what is printed: table (default on a terminal), csv (default otherwise), json (one array per statement), ndjson')
        .choices(OUTPUT_FORMATS),
    )
    .option('-o, --output <file>', "write the last statement's rows to FILE.parquet, .csv, .json (an array) or .ndjson, with DuckDB's COPY")
    .option('--db <file.duckdb>', 'keep the loaded trace in this DuckDB file (a new one, or one an earlier --db made); later queries reuse it until the trace file changes, and need not name the trace')
    .option('--safe', "for SQL you did not write: no file or network access beyond the trace, --db and -o (no COPY elsewhere, read_csv, ATTACH, INSTALL or LOAD), settings locked")
    .option('--print-views', "print the views' SQL (to run the same analysis on another engine over `blocktime export` Parquet) and exit; given several traces or a directory, their fleet form (over `export --dataset`)")
    .option('--jobs <n>', 'several traces: how many are loaded at once (default: the number of cores)', (v) => parsePositiveInt('--jobs', v))
    .addOption(new Option('--max-rows <n>', 'table output: rows shown before the middle is elided').default(40).argParser((v) => parsePositiveInt('--max-rows', v)))
    .option('--vcpus <n>', "the VM's vCPU count N (default: the trace's metadata, else highest declared cpu + 1)", parseVcpus)
    .option('--page-size <bytes>', "page size, a power of two: 4096, 4k, 2M (default: the trace's, else 4096)", parsePageSize);
  // Here --format is what is printed: the trace's format has only its own name.
  addStatusOptions(addWindowOptions(addInputFormatOption(cmd)))
    .addHelpText(
      'after',
      `
Tables and views (see the README for every column):
  events(seq, t_ns, kind, tid, addr, cpu)      the trace, seq = row number
  vcpus(tid, cpu)                              declared vCPU threads
  faults(seq, t_ns, tid, cpu, page, status, resolve_seq, resolve_t_ns,
         closed_by, end_t_ns, latency_ns)      one row per fault, closed as 'exact' does
  blocked_intervals(cpu, start_ns, end_ns)     each vCPU's merged blocked time
  all_down_intervals(start_ns, end_ns)         when every vCPU was blocked
  results(variant, cpu, blocktime_ns, faults)  the replay's figures (cpu -1: other threads, NULL: whole VM)
  analysis(variant, result)                    the analyze --json object of each variant
  trace_meta(path, format, page_size, vcpus, start_ns, source, events)
  phases(side, kind, name, start_ns, end_ns, duration_ns)
                                               the migration's states and postcopy commands (QEMU logs)
  fault_legs(line, tid, cpu, block, offset, addr, category, missing, channel, t_ns,
         request_transit_ns, source_queue_wait_ns, page_transit_ns,
         source_and_transit_ns, total_ns)      each fault followed across both logs (import --source)
${WINDOW_HELP}
In a window, events holds its rows; faults the faults whose wait overlaps it
(columns unchanged); blocked_intervals and all_down_intervals are clipped to
it; results and analysis are the windowed replay's. main.events, main.faults,
... stay the whole trace.

Several traces (paths, or directories searched recursively for every file
whose format is known by name or content): each relation above gains a
first column trace (the trace's path), and
  traces(trace, trace_id, path, format, source, qemu_version, page_size,
         vcpus, start_ns, events)      one row per trace
Each trace is loaded (as it would be alone, only what the SQL reads) into a
temporary file of its own, --jobs at a time; with --db FILE.duckdb, into
FILE.duckdb.traces/, reused while each trace file is unchanged.

With --db FILE.duckdb, the trace may be left out: the first argument, unless
it names an existing file, is then the SQL, run on the trace the database
holds (read again with the options it was loaded with, should it change).`,
    )
    .action((args: string[], opts: QueryOptions) => query(args, opts));
  withExamples(cmd, [
    'blocktime query trace.arrow "SELECT cpu, quantile_disc(latency_ns, 0.99) AS p99_ns FROM faults WHERE cpu >= 0 GROUP BY cpu"',
    ['blocktime query trace.arrow --since 2s --until 3s "SELECT cpu, sum(end_ns - start_ns) FROM blocked_intervals GROUP BY cpu"', 'blocked time per vCPU in one second'],
    ['blocktime query traces/ "SELECT trace, max(latency_ns) FROM faults GROUP BY trace"', 'every trace under traces/'],
  ]);
}

async function query(args: string[], opts: QueryOptions): Promise<void> {
  const { inputs, sql, stored } = await inputsAndSql(args, opts);
  const { files, directories } = await expandTraceInputs(inputs, { stdin: true });
  const fleet = files.length > 1 || directories;
  const trace = fleet ? undefined : files[0];
  const openOpts: OpenOptions = {
    ...stored?.open,
    ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    ...(opts.inputFormat !== undefined ? { format: opts.inputFormat } : {}),
  };
  if (opts.printViews) {
    if (sql !== undefined || opts.file !== undefined || opts.output !== undefined) throw new UsageError('--print-views takes traces (for their page size and vCPU count), no SQL');
    process.stdout.write(fleet ? await printableFleetViews() : await printableViews(trace === undefined ? undefined : await viewInputs(trace, openOpts)));
    return;
  }
  if (trace === undefined && !fleet) throw new UsageError(`query: expected a trace file (or --print-views${opts.db === undefined ? ', or --db' : ''})`);
  const window = windowOf(opts);
  if (sql !== undefined && opts.file !== undefined) throw new UsageError('give the SQL as an argument or with -f, not both');
  const text = opts.file !== undefined ? await readFile(opts.file, 'utf8') : sql;
  if (text === undefined && opts.output !== undefined) throw new UsageError('-o needs a statement, as an argument or with -f');
  const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'csv');
  const status = createStatus('query', opts);

  const statements = text === undefined ? [] : statementsOf(text);
  const progress = createTraceProgress('query', 'rows');
  // Only what the statements read is built before they run (the shell builds as it goes).
  const database = fleet
    ? await openFleetDatabase(files, {
        ...(opts.db !== undefined ? { db: opts.db } : {}),
        ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
        ...(opts.safe ? { safe: { outputs: opts.output !== undefined ? [opts.output] : [] } } : {}),
        open: { ...openOpts, onWarning: progress.onWarning },
        build: { statements: statements.map((s) => s.sql) },
      }).finally(() => progress.done())
    : await openTraceDatabase(trace!, {
    ...(opts.db !== undefined ? { db: opts.db } : {}),
    ...(opts.safe ? { safe: { outputs: opts.output !== undefined ? [opts.output] : [] } } : {}),
    open: {
      ...openOpts,
      onWarning: progress.onWarning,
    },
    onProgress: progress.onRows,
    onReload: (previous, why) => {
      progress.done();
      process.stderr.write(`blocktime: note: ${reloadNote(opts.db!, previous, resolve(trace!), why)}\n`);
    },
    build: { statements: statements.map((s) => s.sql) },
    ...(window ? { window } : {}),
  }).finally(() => progress.done());
  try {
    if (text === undefined) {
      const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const { failed, interrupted } = await runShell(database.connection, {
        input: process.stdin,
        output: process.stdout,
        errors: process.stderr,
        interactive,
        format,
        maxRows: opts.maxRows,
        historyFile: process.env.BLOCKTIME_HISTORY ?? join(homedir(), '.blocktime_history'),
        prepare: (statement, shownAs) => database.prepare([statement], shownAs),
      });
      // Fed from a pipe, the shell is a script: say so in the exit code when a statement failed.
      if (interrupted) process.exitCode = 130;
      else if (failed > 0 && !interactive) process.exitCode = ExitCode.badInput;
      return;
    }
    const sink = sinkFor(process.stdout);
    for (const [i, statement] of statements.entries()) {
      try {
        if (opts.output !== undefined && i === statements.length - 1) {
          await copyToFile(database.connection, statement.sql, opts.output);
          await status.wrote(opts.output);
          break;
        }
        const result = await runStatement(database.connection, statement.sql);
        if (!hasRows(result)) continue;
        await consumeResult(statement.sql, () => writeResult(result, format, sink, { maxRows: opts.maxRows }));
      } catch (err) {
        throw inScript(err, opts.file, statement);
      }
    }
    status.done();
  } finally {
    database.close();
  }
}

/**
 * The traces and the SQL of `query [traces...] [sql]`: of two arguments or
 * more, the last is the SQL unless it names a file or directory (so a
 * mistyped trace among several is reported by DuckDB's parser, naming it);
 * one argument follows traceAndSql.
 */
async function inputsAndSql(args: readonly string[], opts: QueryOptions): Promise<{ inputs: string[]; sql: string | undefined; stored?: StoredLoad }> {
  if (args.length <= 1) {
    const { trace, ...rest } = await traceAndSql(args[0], undefined, opts);
    return { inputs: trace === undefined ? [] : [trace], ...rest };
  }
  const last = args.at(-1)!;
  if (last !== '-' && !(await exists(last))) return { inputs: args.slice(0, -1), sql: last };
  return { inputs: [...args], sql: undefined };
}

/**
 * The trace and the SQL of `query [trace] [sql]`. With `--db`, a first
 * argument that names no file is the SQL when the database holds a trace,
 * which is then the trace; with no argument, the database's trace is opened
 * in the shell. Anything else keeps the arguments as given, so that a
 * mistyped trace is still reported as such.
 */
async function traceAndSql(
  first: string | undefined,
  second: string | undefined,
  opts: QueryOptions,
): Promise<{ trace: string | undefined; sql: string | undefined; stored?: StoredLoad }> {
  if (opts.db === undefined || opts.printViews || second !== undefined || (first !== undefined && (first === '-' || (await exists(first))))) {
    return { trace: first, sql: second };
  }
  const stored = await storedLoad(opts.db);
  if (stored === undefined) {
    const holds = (await exists(opts.db)) ? 'holds no loaded trace' : 'does not exist';
    // A mistyped trace and SQL meant for the database's trace both end here: say both.
    if (first !== undefined) throw new InputError({ file: first }, `no such file; nor can it be SQL: ${opts.db} ${holds}`);
    throw new InputError({ file: opts.db }, `${holds}; give the trace once: blocktime query TRACE --db ${opts.db}`);
  }
  return { trace: stored.path, sql: first, stored };
}

function reloadNote(db: string, previous: string, trace: string, why: ReloadReason): string {
  switch (why) {
    case 'other trace':
      return `${db} holds ${previous}; loading ${trace} in its place`;
    case 'trace changed':
      return `${trace} changed since ${db} loaded it; loading it again`;
    case 'other options':
      return `${db} loaded ${trace} with other options (or another blocktime); loading it again`;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function statementsOf(text: string): LocatedStatement[] {
  const { statements, rest } = locateStatements(text);
  if (rest) statements.push(rest);
  if (statements.length === 0) throw new UsageError('no SQL statement to run');
  return statements;
}

/** An error of a statement from `-f FILE` names the file and the line the statement starts on. */
function inScript(err: unknown, file: string | undefined, statement: LocatedStatement): unknown {
  return file !== undefined && err instanceof QueryError ? new InputError({ file, line: statement.line }, err.message) : err;
}

async function viewInputs(trace: string, openOpts: OpenOptions): Promise<{ pageSize: number; vcpus?: number }> {
  const source = await openTrace(trace, openOpts);
  await source.close();
  return { pageSize: source.meta.pageSize, ...(source.meta.vcpus !== undefined ? { vcpus: source.meta.vcpus } : {}) };
}
