/**
 * The interactive SQL shell of `blocktime query TRACE`: readline with
 * history, statements over several lines until a `;`, dot commands as the
 * duckdb shell has them (.read, .output, .mode, .timer, .tables, .schema),
 * and Ctrl-C that cancels the running query (DuckDB's interrupt) rather than
 * leaving the shell; Ctrl-D leaves. Fed from a pipe it reads the statements
 * the same way, without prompts, and reports whether any failed. A mistake
 * in a dot command, like a failed statement, is one line and the session
 * goes on.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BlocktimeError, InputError, UsageError, errnoCause } from '../../errors.js';
import { OUTPUT_FORMATS, type OutputFormat, type TextSink, writeResult } from './result-format.js';
import { createShellOutput } from './shell-output.js';
import { consumeResult, hasRows, isInterrupt, runStatement } from '../../sql/run-sql.js';
import { locateStatements } from '../../sql/statements.js';
import { LOAD_TABLE } from '../../sql/trace-database.js';

export interface ShellOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
  /** A person at a terminal: prompts, line editing, Ctrl-C from the keyboard. */
  interactive: boolean;
  format: OutputFormat;
  maxRows?: number;
  /** Where history is kept between sessions (interactive only). */
  historyFile?: string;
  /** Called before each statement runs: builds the relations it reads (TraceDatabase.prepare). */
  prepare?(statement: string, shownAs?: string): Promise<void>;
}

const PROMPT = 'blocktime> ';
const CONTINUE = '      ...> ';
const HISTORY_SIZE = 1000;

const HELP = `Statements end with ';' and may span lines. Ctrl-C cancels a running query, Ctrl-D leaves.
.tables            the tables and views
.schema [NAME]     how NAME (or every table and view) is defined
.mode MODE         print results as ${OUTPUT_FORMATS.join(', ')} (also .format)
.output [FILE]     send results to FILE, which appears when closed (at the next .output
                   or on leaving); without FILE, back to the screen
.read FILE         run FILE's statements and dot commands
.timer on|off      print each statement's run time (on stderr)
.help              this text
.quit              leave (also .exit)
`;

/** Lines from one source, the input or a `.read` file: a statement is gathered until its `;`. */
interface Source {
  /** `.read`'s file, named with the line in its errors. */
  file?: string;
  /** The statement begun and not yet ended, and the line it starts on. */
  buffer: string;
  bufferLine: number;
  line: number;
}

/** Runs until the input ends or `.quit`; returns how many statements failed, and whether a signal ended it. */
export async function runShell(connection: DuckDBConnection, opts: ShellOptions): Promise<{ failed: number; interrupted: boolean }> {
  const history = opts.interactive && opts.historyFile ? await loadHistory(opts.historyFile) : [];
  const rl = createInterface({
    input: opts.input,
    ...(opts.interactive ? { output: opts.output } : {}),
    terminal: opts.interactive,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: PROMPT,
  });
  const screen = sinkFor(opts.output);
  const output = createShellOutput(screen);
  let format = opts.format;
  let timer = false;
  const input: Source = { buffer: '', bufferLine: 1, line: 0 };
  /** The `.read` files being read, innermost last: a file that reads itself would never end. */
  const reading: string[] = [];
  /** Statements and dot commands under way (a `.read` runs statements within its own). */
  let running = 0;
  /** Ctrl-C during a `.read`: the rest of its file is not run. */
  let stopReading = false;
  let failed = 0;
  let interrupted = false;

  const onInterrupt = (): void => {
    if (running > 0) {
      connection.interrupt();
      stopReading = reading.length > 0;
    } else if (opts.interactive) {
      // At the prompt Ctrl-C drops what was typed, as in psql and duckdb: readline's line too (Ctrl-E, Ctrl-U).
      input.buffer = '';
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      opts.output.write('^C\n');
      rl.setPrompt(PROMPT);
      rl.prompt();
    } else {
      // A signal while a pipe feeds us and nothing runs: stop reading, as the default would.
      interrupted = true;
      rl.close();
    }
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);

  const say = (text: string): void => {
    opts.errors.write(text.endsWith('\n') ? text : text + '\n');
  };
  /** Runs `work` (a statement, or a dot command); the user's errors are said, at `where` in a `.read` file, and the session goes on. */
  const guarded = async (work: () => Promise<void>, where?: { file: string; line: number }): Promise<void> => {
    running++;
    try {
      await work();
    } catch (err) {
      failed++;
      if (isInterrupt(err)) say('cancelled');
      else if (err instanceof BlocktimeError) say(`Error: ${where && !(err instanceof InputError) ? new InputError(where, err.message).message : err.message}`);
      else throw err;
    } finally {
      running--;
    }
  };
  /** `shownAs`: what an error names, when the statement is a dot command's. */
  const execute = (statement: string, shownAs = statement, where?: { file: string; line: number }): Promise<void> =>
    guarded(async () => {
      const started = performance.now();
      await opts.prepare?.(statement, shownAs);
      const result = await runStatement(connection, statement, shownAs);
      if (hasRows(result)) await consumeResult(shownAs, () => writeResult(result, format, output.sink, opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}));
      // On stderr, as the prompts: a result sent to a file or a pipe stays as it is.
      if (timer) say(`Run Time (s): real ${((performance.now() - started) / 1000).toFixed(3)}`);
    }, where);

  /** Runs a `.read` file's lines as if typed; a statement left open at its end is run, as `-f` would. */
  const readScript = async (path: string): Promise<void> => {
    const full = resolve(path);
    if (reading.includes(full)) throw new UsageError(`.read: ${path} is already being read (it reads itself)`);
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      const cause = errnoCause(err.code);
      throw cause === undefined ? err : new InputError({ file: path }, cause);
    });
    const source: Source = { file: path, buffer: '', bufferLine: 1, line: 0 };
    reading.push(full);
    try {
      for (const line of text.split(/\r?\n/)) if (stopReading || !(await feed(source, line))) break;
      if (!stopReading) await finish(source);
    } finally {
      reading.pop();
      if (reading.length === 0) stopReading = false;
    }
  };

  /** The dot command on `line`; false to leave (`.quit` at the input, or the end of a `.read` file). */
  const dotCommand = async (line: string, source: Source): Promise<boolean> => {
    const [cmd, ...args] = dotArguments(line.trim());
    const where = source.file !== undefined ? { file: source.file, line: source.line } : undefined;
    // One argument, or none where `optional`: anything else is a mistake said in one line.
    const argument = (usage: string, optional = false): string | undefined => {
      if (args.length > 1 || (!optional && args.length === 0)) throw new UsageError(`usage: ${cmd} ${usage}`);
      return args[0];
    };
    let goOn = true;
    await guarded(async () => {
      switch (cmd) {
        case '.quit':
        case '.exit':
          goOn = false;
          break;
        case '.help':
          await screen(HELP);
          break;
        case '.tables':
          await execute(
            `SELECT table_name AS name, lower(table_type) AS type FROM information_schema.tables
            WHERE table_schema = 'main' AND table_catalog = current_database() AND table_name <> '${LOAD_TABLE}' ORDER BY table_type, table_name`,
            line.trim(),
            where,
          );
          break;
        case '.schema': {
          const name = argument('[NAME]', true);
          // Every table but ours; ours too when named.
          const filter = name === undefined ? ` WHERE name <> '${LOAD_TABLE}'` : ` WHERE name = '${name.replace(/'/g, "''")}'`;
          const shownAs = line.trim();
          const schema = `SELECT name, sql FROM (
              SELECT table_name AS name, sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
              UNION ALL SELECT view_name, sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
            )${filter} ORDER BY name`;
          await opts.prepare?.(schema, shownAs);
          const result = await runStatement(connection, schema, shownAs);
          const rows = await consumeResult(shownAs, () => result.getRowsJS());
          if (rows.length === 0) throw new UsageError(`no table or view named ${name}`);
          await output.sink(rows.map((r) => String(r[1]).trim().replace(/;?$/, ';')).join('\n') + '\n');
          break;
        }
        case '.mode':
        case '.format': {
          const wanted = argument(OUTPUT_FORMATS.join('|'), true);
          if (wanted === undefined) {
            await screen(`${format}\n`);
            break;
          }
          const f = OUTPUT_FORMATS.find((x) => x === wanted);
          if (f === undefined) throw new UsageError(`${cmd}: expected one of ${OUTPUT_FORMATS.join(', ')}, not ${wanted}`);
          format = f;
          break;
        }
        case '.output':
          await output.redirect(argument('[FILE]', true));
          break;
        case '.read':
          await readScript(argument('FILE')!);
          break;
        case '.timer': {
          const value = argument('on|off');
          if (value !== 'on' && value !== 'off') throw new UsageError(`.timer: expected on or off, not ${value}`);
          timer = value === 'on';
          break;
        }
        default:
          throw new UsageError(`unknown command ${cmd}; .help lists them`);
      }
    }, where);
    return goOn;
  };

  /** One line of `source`; false when a `.quit` ends it. */
  const feed = async (source: Source, line: string): Promise<boolean> => {
    source.line++;
    if (source.buffer === '' && line.trim().startsWith('.')) return dotCommand(line, source);
    if (source.buffer === '') source.bufferLine = source.line;
    source.buffer += (source.buffer ? '\n' : '') + line;
    const { statements, rest } = locateStatements(source.buffer);
    const first = source.bufferLine;
    source.buffer = rest?.sql ?? '';
    if (rest) source.bufferLine = first + rest.line - 1;
    for (const statement of statements) {
      await execute(statement.sql, statement.sql, source.file !== undefined ? { file: source.file, line: first + statement.line - 1 } : undefined);
    }
    return true;
  };
  /** The input, or a file, ended in the middle of a statement: run it, as `-f` would. */
  const finish = async (source: Source): Promise<void> => {
    if (!source.buffer.trim()) return;
    const statement = source.buffer;
    source.buffer = '';
    await execute(statement, statement, source.file !== undefined ? { file: source.file, line: source.bufferLine } : undefined);
  };

  if (opts.interactive) {
    opts.output.write(`Tables and views: events, vcpus, faults, blocked_intervals, all_down_intervals, results, analysis, trace_meta. .help for help.\n`);
    rl.prompt();
  }
  try {
    for await (const line of rl) {
      if (!(await feed(input, line))) break;
      if (opts.interactive) {
        rl.setPrompt(input.buffer ? CONTINUE : PROMPT);
        rl.prompt();
      }
    }
    if (!interrupted) await finish(input);
  } finally {
    process.off('SIGINT', onInterrupt);
    rl.close();
    // Ctrl-D leaves the cursor after the prompt.
    if (opts.interactive) opts.output.write('\n');
    if (opts.interactive && opts.historyFile) await saveHistory(opts.historyFile, (rl as unknown as { history: string[] }).history);
    // A file `.output` left open appears now, unless a signal ended the session: then it is removed, as any half-written output.
    if (interrupted) await output.discard();
    else await guarded(() => output.close());
  }
  return { failed, interrupted };
}

/** A dot command's words; a word may be quoted ('my file.csv' or "my file.csv"), as in the duckdb shell. */
export function dotArguments(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

export function sinkFor(stream: NodeJS.WritableStream): TextSink {
  return (text) =>
    new Promise((resolve) => {
      if (stream.write(text)) resolve();
      else stream.once('drain', resolve);
    });
}

async function loadHistory(file: string): Promise<string[]> {
  try {
    // Newest first, as readline keeps it.
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

async function saveHistory(file: string, history: readonly string[]): Promise<void> {
  try {
    await writeFile(file, [...history].reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // History is a convenience: an unwritable home must not fail the session.
  }
}
