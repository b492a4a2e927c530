import { Command, CommanderError } from 'commander';
import { ExitCode, toExit } from '../errors.js';

/** Each command lives in its own file and registers itself here. */
const COMMANDS: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import('./analyze.js'),
  () => import('./compare.js'),
  () => import('./capture.js'),
  () => import('./convert.js'),
  () => import('./lab.js'),
  () => import('./import.js'),
  () => import('./report.js'),
  () => import('./query.js'),
  () => import('./export.js'),
];

export async function main(argv: string[]): Promise<void> {
  // `blocktime ... | head` closes our stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  const program = new Command('blocktime')
    .description('Record and analyze the page faults of postcopy live migration.')
    .version(await packageVersion())
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .showHelpAfterError('(run with --help for usage)');
  for (const load of COMMANDS) (await load()).register(program);
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

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
