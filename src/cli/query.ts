import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ExitCode, InputError, QueryError, UsageError } from '../errors.js';
import { createTraceProgress } from './terminal/trace-progress.js';
import { copyToFile } from '../sql/copy-to-file.js';
import { OUTPUT_FORMATS, type OutputFormat, writeResult } from './terminal/result-format.js';
import { consumeResult, hasRows, runStatement } from '../sql/run-sql.js';
import { runShell, sinkFor } from './terminal/sql-shell.js';
import { type LocatedStatement, locateStatements } from '../sql/statements.js';
import { openTraceDatabase } from '../sql/trace-database.js';
import { printableViews } from '../sql/views.js';
import { openTrace, type OpenOptions } from '../formats/open.js';
import { TRACE_ARGUMENT, addInputFormatOption, parsePageSize, parsePositiveInt, parseVcpus } from './options/trace-options.js';

interface QueryOptions {
  file?: string;
  format?: OutputFormat;
  output?: string;
  db?: string;
  safe?: boolean;
  printViews?: boolean;
  maxRows: number;
  vcpus?: number;
  pageSize?: number;
  inputFormat?: OpenOptions['format'];
}

export function register(program: Command): void {
  const cmd = program
    .command('query')
    .description('Ask a trace questions in SQL (DuckDB, in process): its events, faults, blocked intervals and replay results.')
    .argument('[trace]', TRACE_ARGUMENT)
    .argument('[sql]', 'statements to run, separated by ";" (without this or -f: an interactive shell)')
    .option('-f, --file <file.sql>', 'run the statements in this file, printing each result')
    .addOption(
      new Option('--format <format>', 'what is printed: table (default on a terminal), csv (default otherwise), json (one array per statement), ndjson')
        .choices(OUTPUT_FORMATS),
    )
    .option('-o, --output <file>', "write the last statement's rows to FILE.parquet, .csv, .json (an array) or .ndjson, with DuckDB's COPY")
    .option('--db <file.duckdb>', 'keep the loaded trace in this DuckDB file (a new one, or one an earlier --db made); later queries reuse it until the trace file changes')
    .option('--safe', "for SQL you did not write: no file or network access beyond the trace, --db and -o (no COPY elsewhere, read_csv, ATTACH, INSTALL or LOAD), settings locked")
    .option('--print-views', "print the views' SQL (to run the same analysis on another engine over `blocktime export` Parquet) and exit")
    .addOption(new Option('--max-rows <n>', 'table output: rows shown before the middle is elided').default(40).argParser((v) => parsePositiveInt('--max-rows', v)))
    .option('--vcpus <n>', "the VM's vCPU count N (default: the trace's metadata, else highest declared cpu + 1)", parseVcpus)
    .option('--page-size <bytes>', "page size, a power of two: 4096, 4k, 2M (default: the trace's, else 4096)", parsePageSize);
  // Here --format is what is printed: the trace's format has only its own name.
  addInputFormatOption(cmd)
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

Examples:
  blocktime query trace.arrow "SELECT cpu, quantile_disc(latency_ns, 0.99) FROM faults WHERE cpu >= 0 GROUP BY cpu"
  blocktime query trace.arrow -f report.sql --format json
  blocktime query trace.arrow "SELECT * FROM faults" -o faults.parquet
  blocktime query trace.arrow --db trace.duckdb          (a shell; the next run starts at once)
  blocktime query trace.arrow --safe -f untrusted.sql    (DuckDB sees no file but the -o output)
  blocktime query --print-views > views.sql`,
    )
    .action((trace: string | undefined, sql: string | undefined, opts: QueryOptions) => query(trace, sql, opts));
}

async function query(trace: string | undefined, sql: string | undefined, opts: QueryOptions): Promise<void> {
  const openOpts: OpenOptions = {
    ...(opts.vcpus !== undefined ? { vcpus: opts.vcpus } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    ...(opts.inputFormat !== undefined ? { format: opts.inputFormat } : {}),
  };
  if (opts.printViews) {
    if (sql !== undefined || opts.file !== undefined || opts.output !== undefined) throw new UsageError('--print-views takes at most a trace (for its page size and vCPU count), no SQL');
    process.stdout.write(await printableViews(trace === undefined ? undefined : await viewInputs(trace, openOpts)));
    return;
  }
  if (trace === undefined) throw new UsageError('query: expected a trace file (or --print-views)');
  if (sql !== undefined && opts.file !== undefined) throw new UsageError('give the SQL as an argument or with -f, not both');
  const text = opts.file !== undefined ? await readFile(opts.file, 'utf8') : sql;
  if (text === undefined && opts.output !== undefined) throw new UsageError('-o needs a statement, as an argument or with -f');
  const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'csv');

  const statements = text === undefined ? [] : statementsOf(text);
  const progress = createTraceProgress('query', 'rows');
  // Only what the statements read is built before they run (the shell builds as it goes).
  const database = await openTraceDatabase(trace, {
    ...(opts.db !== undefined ? { db: opts.db } : {}),
    ...(opts.safe ? { safe: { outputs: opts.output !== undefined ? [opts.output] : [] } } : {}),
    open: {
      ...openOpts,
      onWarning: progress.onWarning,
    },
    onProgress: progress.onRows,
    build: { statements: statements.map((s) => s.sql) },
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
        prepare: (statement) => database.prepare([statement]),
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
          break;
        }
        const result = await runStatement(database.connection, statement.sql);
        if (!hasRows(result)) continue;
        await consumeResult(statement.sql, () => writeResult(result, format, sink, { maxRows: opts.maxRows }));
      } catch (err) {
        throw inScript(err, opts.file, statement);
      }
    }
  } finally {
    database.close();
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
