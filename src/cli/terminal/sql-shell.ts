/**
 * The interactive SQL shell of `blocktime query TRACE`: readline with
 * history, statements over several lines until a `;`, dot commands, and
 * Ctrl-C that cancels the running query (DuckDB's interrupt) rather than
 * leaving the shell; Ctrl-D leaves. Fed from a pipe it reads the statements
 * the same way, without prompts, and reports whether any failed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BlocktimeError } from '../../errors.js';
import { OUTPUT_FORMATS, type OutputFormat, type TextSink, writeResult } from './result-format.js';
import { consumeResult, hasRows, isInterrupt, runStatement } from '../../sql/run-sql.js';
import { splitStatements } from '../../sql/statements.js';

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
.format FORMAT     output as ${OUTPUT_FORMATS.join(', ')}
.help              this text
.quit              leave (also .exit)
`;

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
  const sink = sinkFor(opts.output);
  let format = opts.format;
  let buffer = '';
  let running = false;
  let failed = 0;
  let interrupted = false;

  const onInterrupt = (): void => {
    if (running) connection.interrupt();
    else if (opts.interactive) {
      // At the prompt Ctrl-C drops what was typed, as in psql and duckdb: readline's line too (Ctrl-E, Ctrl-U).
      buffer = '';
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
  /** Runs `work` (a statement, or a dot command's queries); the user's errors are said and the session goes on. */
  const guarded = async (work: () => Promise<void>): Promise<void> => {
    running = true;
    try {
      await work();
    } catch (err) {
      failed++;
      if (isInterrupt(err)) say('cancelled');
      else if (err instanceof BlocktimeError) say(`Error: ${err.message}`);
      else throw err;
    } finally {
      running = false;
    }
  };
  /** `shownAs`: what an error names, when the statement is a dot command's. */
  const execute = (statement: string, shownAs = statement): Promise<void> =>
    guarded(async () => {
      await opts.prepare?.(statement);
      const result = await runStatement(connection, statement, shownAs);
      if (hasRows(result)) await consumeResult(shownAs, () => writeResult(result, format, sink, opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}));
    });

  const dotCommand = async (line: string): Promise<boolean> => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    switch (cmd) {
      case '.quit':
      case '.exit':
        return false;
      case '.help':
        await sink(HELP);
        break;
      case '.tables':
        await execute(
          `SELECT table_name AS name, lower(table_type) AS type FROM information_schema.tables
          WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_type, table_name`,
          line.trim(),
        );
        break;
      case '.schema': {
        const name = args[0];
        const where = name === undefined ? '' : ` WHERE name = '${name.replace(/'/g, "''")}'`;
        await guarded(async () => {
          const shownAs = line.trim();
          const schema = `SELECT name, sql FROM (
              SELECT table_name AS name, sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
              UNION ALL SELECT view_name, sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
            )${where} ORDER BY name`;
          await opts.prepare?.(schema, shownAs);
          const result = await runStatement(connection, schema, shownAs);
          const rows = await consumeResult(shownAs, () => result.getRowsJS());
          if (rows.length === 0) say(`no table or view named ${name}`);
          else await sink(rows.map((r) => String(r[1]).trim().replace(/;?$/, ';')).join('\n') + '\n');
        });
        break;
      }
      case '.format': {
        const f = OUTPUT_FORMATS.find((x) => x === args[0]);
        if (f) format = f;
        else say(`.format: expected one of ${OUTPUT_FORMATS.join(', ')}`);
        break;
      }
      default:
        say(`unknown command ${cmd}; .help lists them`);
    }
    return true;
  };

  if (opts.interactive) {
    opts.output.write(`Tables and views: events, vcpus, faults, blocked_intervals, all_down_intervals, results, analysis, trace_meta. .help for help.\n`);
    rl.prompt();
  }
  try {
    for await (const line of rl) {
      if (buffer === '' && line.trim().startsWith('.')) {
        if (!(await dotCommand(line))) break;
      } else {
        buffer += (buffer ? '\n' : '') + line;
        const { statements, rest } = splitStatements(buffer);
        buffer = rest;
        for (const statement of statements) await execute(statement);
      }
      if (opts.interactive) {
        rl.setPrompt(buffer ? CONTINUE : PROMPT);
        rl.prompt();
      }
    }
    // Input ended in the middle of a statement: run it, as `-f` would.
    if (buffer.trim() && !interrupted) await execute(buffer);
  } finally {
    process.off('SIGINT', onInterrupt);
    rl.close();
    // Ctrl-D leaves the cursor after the prompt.
    if (opts.interactive) opts.output.write('\n');
    if (opts.interactive && opts.historyFile) await saveHistory(opts.historyFile, (rl as unknown as { history: string[] }).history);
  }
  return { failed, interrupted };
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
