/**
 * The zsh completion script: one `_arguments` function per command, a
 * command with subcommands dispatching on the word that names one (the
 * `->state` idiom of zsh's own completions). It works both autoloaded from
 * a file named `_PROGRAM` in `$fpath` and sourced after `compinit`.
 */
import type { CompletedCommand, CompletedOption } from './command-tree.js';

export function zshScript(program: string, tree: readonly CompletedCommand[]): string {
  const fnOf = (path: readonly string[]): string => ['', program, ...path].join('_').replace(/[^A-Za-z0-9_]/g, '_');
  const functions = tree.map((c) => {
    const fn = fnOf(c.path);
    const specs = c.options.flatMap((o) => optionSpecs(o));
    if (c.subcommands.length === 0) {
      if (c.positional !== 'none') specs.push(quote(`*:${c.positional === 'files' ? 'file:_files' : `value:(${c.positional.choices.join(' ')})`}`));
      return `${fn}() {\n  _arguments -s \\\n    ${specs.join(' \\\n    ')}\n}`;
    }
    const described = c.subcommands.map((s) => `    ${quote(`${s.name.replace(/:/g, '\\:')}:${s.help}`)}`).join('\n');
    const dispatch = c.subcommands.map((s) => `        ${quote(s.name)}) ${fnOf([...c.path, s.name])} ;;`).join('\n');
    return `${fn}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  local -a commands=(
${described}
  )
  _arguments -C -s \\
    ${[...specs, quote('1: :->command'), quote('*:: :->argument')].join(' \\\n    ')}
  case $state in
    command) _describe -t commands ${quote(`${[program, ...c.path].join(' ')} command`)} commands ;;
    argument)
      case $line[1] in
${dispatch}
      esac
      ;;
  esac
}`;
  });
  return `#compdef ${program}
# zsh completion for ${program}, written by \`${program} completion zsh\`.
# Save it as _${program} in a directory of $fpath (before compinit runs), or
# source it after compinit: source <(${program} completion zsh).

${functions.join('\n\n')}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  ${fnOf([])} "$@"
else
  compdef ${fnOf([])} ${program}
fi
`;
}

/** `_arguments` specs of one option: each of its names, excluding the others. */
function optionSpecs(o: CompletedOption): string[] {
  const exclusive = o.names.length > 1 ? `(${o.names.join(' ')})` : '';
  const help = `[${o.help.replace(/[[\]]/g, (b) => (b === '[' ? '(' : ')'))}]`;
  const value = !o.value ? '' : o.value.choices ? `:value:(${o.value.choices.join(' ')})` : o.value.file ? ':file:_files' : ':value: ';
  // A long option's value may follow it or come after `=`.
  return o.names.map((n) => quote(`${exclusive}${n}${o.value && n.startsWith('--') ? '=' : ''}${help}${value}`));
}

/** A word for zsh, single-quoted. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
