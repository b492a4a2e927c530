/**
 * What a shell completes, read off the commander program itself (its
 * commands, options, their choices and arguments), so that the completion
 * scripts say what the parser accepts and cannot fall behind it. Hidden
 * options (older spellings) are left out, as --help leaves them out.
 */
import type { Command, Option } from 'commander';

export interface CompletedOption {
  /** `-o` and `--output`, as the user may type them. */
  names: string[];
  help: string;
  /** Absent for a flag that takes no value. */
  value?: {
    /** The value's choices (e.g. `--variant`'s): nothing else is offered. */
    choices?: string[];
    /** The value is a path: files are offered. */
    file: boolean;
  };
}

export interface CompletedCommand {
  /** From the program's first subcommand: `['import', 'qemu-log']`; `[]` is the program. */
  path: string[];
  help: string;
  options: CompletedOption[];
  subcommands: Array<{ name: string; help: string }>;
  /** What its positional arguments are: choices (completion's shell), else files (traces, logs, outputs; query's SQL is not, but harmless). */
  positional: 'none' | 'files' | { choices: string[] };
}

/** Value names that stand for a path: `<file>`, `<file.sql>`, `<trace>`, `--expect <result>`. */
const FILE_VALUE = /\b(file|trace|log|result)\b|\.\w+$/;

/** The program and every command below it, parents before children. */
export function commandTree(program: Command): CompletedCommand[] {
  const out: CompletedCommand[] = [];
  const visit = (cmd: Command, path: string[]): void => {
    // Not commander's implicit `help` command: `--help` after a command does the same.
    const subcommands = cmd.commands;
    out.push({
      path,
      help: firstSentence(cmd.description()),
      // As --help lists them: without hidden ones, with --help itself.
      options: cmd.createHelp().visibleOptions(cmd).map(completedOption),
      subcommands: subcommands.map((c) => ({ name: c.name(), help: firstSentence(c.description()) })),
      positional: positionalOf(cmd),
    });
    for (const c of subcommands) visit(c, [...path, c.name()]);
  };
  visit(program, []);
  return out;
}

function positionalOf(cmd: Command): CompletedCommand['positional'] {
  const first = cmd.registeredArguments[0];
  if (first === undefined) return 'none';
  return first.argChoices ? { choices: [...first.argChoices] } : 'files';
}

function completedOption(o: Option): CompletedOption {
  const names = [o.short, o.long].filter((n): n is string => n !== undefined);
  const takesValue = o.required || o.optional;
  if (!takesValue) return { names, help: firstSentence(o.description) };
  const valueName = /[<[]([^>\]]*)[>\]]/.exec(o.flags)?.[1] ?? '';
  return {
    names,
    help: firstSentence(o.description),
    value: { ...(o.argChoices ? { choices: [...o.argChoices] } : {}), file: !o.argChoices && FILE_VALUE.test(valueName) },
  };
}

/** A description short enough for a completion menu: up to its first colon, semicolon or full stop. */
function firstSentence(text: string): string {
  const cut = /[.;:](\s|$)/.exec(text);
  return (cut ? text.slice(0, cut.index) : text).replace(/\s+/g, ' ').trim();
}
