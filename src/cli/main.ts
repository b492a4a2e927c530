import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { ExitCode, toExit } from '../errors.js';
import { appendExamples, withExamples } from './help-examples.js';
import { installStopSignals } from './stop-signals.js';

/**
 * Each command lives in its own file and registers itself here. Only the
 * command being run is loaded (DuckDB, vega and the native addon cost
 * hundreds of milliseconds to import); help, unknown names and the
 * completion scripts load them all.
 */
const COMMANDS: Record<string, () => Promise<{ register(program: Command): void }>> = {
  analyze: () => import('./analyze.js'),
  compare: () => import('./compare.js'),
  capture: () => import('./capture.js'),
  convert: () => import('./convert.js'),
  import: () => import('./import.js'),
  query: () => import('./query.js'),
  export: () => import('./export.js'),
  report: () => import('./report.js'),
  lab: () => import('./lab.js'),
  latency: () => import('./latency.js'),
  completion: () => import('./completion.js'),
};

/** Commands that read the whole program: the completion scripts describe every command. */
const NEEDS_ALL = new Set(['completion']);

export async function main(argv: string[]): Promise<void> {
  // V8 optimizes on the thread that runs the code, not on a background one. Node 20's V8 can deadlock at exit (a
  // background compile waits for a collection that the main thread, draining platform tasks, never runs) and
  // abort the process when a worker thread ends during such a compile ("Assertion failed" in
  // NodePlatform::ForIsolate): a CLI run hung or crashed about once in thirty. Compiling in line costs a few ms.
  setFlagsFromString('--no-concurrent-recompilation');
  // `blocktime ... | head` closes our stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  const command = argv[2] !== undefined && Object.hasOwn(COMMANDS, argv[2]) ? argv[2] : undefined;
  installStopSignals(command);
  const program = await createProgram(command !== undefined && !NEEDS_ALL.has(command) ? [command] : Object.keys(COMMANDS));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      process.exitCode = err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
      return;
    }
    const { message, exitCode } = toExit(err);
    process.stderr.write(`blocktime: ${message}\n`);
    process.exitCode = exitCode;
  }
}

/** The program with `commands` registered (by default all), their help examples last. */
export async function createProgram(commands: readonly string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = new Command('blocktime')
    .description('Record and analyze the page faults of postcopy live migration.')
    .version(await packageVersion())
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .showHelpAfterError('(run with --help for usage)');
  for (const name of commands) (await COMMANDS[name]!()).register(program);
  withExamples(program, [
    ['blocktime capture --sim -o trace.arrow', 'a simulated trace'],
    ['blocktime compare trace.arrow', 'the three designs on it'],
    ['blocktime query trace.arrow', 'an SQL shell on it'],
  ]);
  appendExamples(program);
  return program;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
