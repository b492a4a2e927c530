/**
 * The examples that end every command's `--help`: each command file gives
 * its own in one call, `withExamples(cmd, [...])`, and main.ts appends them
 * once every command is registered, so that they come after any other help
 * text, whatever order a command adds it in. The test suite parses each
 * example against the program and runs those the fixtures can feed.
 */
import type { Command } from 'commander';

/** A command line, with what it is for when the line does not say it. */
export type Example = string | readonly [command: string, note: string];

const EXAMPLES = new WeakMap<Command, readonly Example[]>();

export function withExamples<C extends Command>(cmd: C, examples: readonly Example[]): C {
  EXAMPLES.set(cmd, examples);
  return cmd;
}

/** A command's examples as command lines, without their notes. */
export function examplesOf(cmd: Command): string[] {
  return (EXAMPLES.get(cmd) ?? []).map((e) => (typeof e === 'string' ? e : e[0]));
}

/** Adds the examples of `cmd` and of every command below it to the end of its help. */
export function appendExamples(cmd: Command): void {
  const examples = EXAMPLES.get(cmd);
  if (examples !== undefined) cmd.addHelpText('after', renderExamples(examples));
  for (const sub of cmd.commands) appendExamples(sub);
}

/** Past this width a note goes on the line above its command rather than after it. */
const WIDTH = 110;

/** Notes as shell comments, so that a line copied whole still runs; after their commands, aligned, where they fit. */
function renderExamples(examples: readonly Example[]): string {
  const fits = (e: Example): e is readonly [string, string] => typeof e !== 'string' && 2 + e[0].length + 5 + e[1].length <= WIDTH;
  const width = Math.max(0, ...examples.filter(fits).map((e) => e[0].length));
  const lines = examples.flatMap((e) => {
    if (typeof e === 'string') return [e];
    return fits(e) && 2 + width + 5 + e[1].length <= WIDTH ? [`${e[0].padEnd(width)}   # ${e[1]}`] : [`# ${e[1]}`, e[0]];
  });
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
