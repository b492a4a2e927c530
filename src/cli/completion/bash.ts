/**
 * The bash completion script: the command tree as `case` tables, and one
 * function that walks the words typed so far to the command they name
 * (skipping options and their values, `--opt=value` included, which bash
 * splits at the `=`), then offers the value's choices or files after an
 * option that takes one, the options after a `-`, else subcommands or files.
 * Plain bash 4 (`compgen`, `compopt`, `mapfile`); bash-completion is not needed.
 */
import type { CompletedCommand } from './command-tree.js';

export function bashScript(program: string, tree: readonly CompletedCommand[]): string {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const key = (c: CompletedCommand): string => quote(c.path.join(' '));
  const subcommands = tree.filter((c) => c.subcommands.length > 0).map((c) => `    ${key(c)}) echo ${quote(c.subcommands.map((s) => s.name).join(' '))} ;;`);
  const options = tree.map((c) => `    ${key(c)}) echo ${quote(c.options.flatMap((o) => o.names).join(' '))} ;;`);
  const values = tree.flatMap((c) =>
    c.options.flatMap((o) => {
      if (!o.value) return [];
      const spec = o.value.choices ? `choices ${o.value.choices.join(' ')}` : o.value.file ? 'file' : 'any';
      return [`    ${o.names.map((n) => quote(`${c.path.join(' ')}|${n}`)).join('|')}) echo ${quote(spec)} ;;`];
    }),
  );
  const positional = tree.flatMap((c) => {
    if (c.positional === 'none') return [];
    const spec = c.positional === 'files' ? 'file' : `choices ${c.positional.choices.join(' ')}`;
    return [`    ${key(c)}) echo ${quote(spec)} ;;`];
  });
  return `# bash completion for ${program}, written by \`${program} completion bash\`.
# Load it from ~/.bashrc (source <(${program} completion bash)), or save it as
# ~/.local/share/bash-completion/completions/${program}.

# The subcommands of a command (its path from the program, space-separated).
${fn}_subcommands() {
  case "$1" in
${subcommands.join('\n')}
  esac
}

# The options of a command.
${fn}_options() {
  case "$1" in
${options.join('\n')}
  esac
}

# What an option's value is ("choices A B...", "file" or "any"); fails for a flag without one.
${fn}_value() {
  case "$1|$2" in
${values.join('\n')}
    *) return 1 ;;
  esac
}

# What a command's positional arguments are.
${fn}_positional() {
  case "$1" in
${positional.join('\n')}
    *) return 1 ;;
  esac
}

${fn}_offer() {
  case "$1" in
    choices\\ *) mapfile -t COMPREPLY < <(compgen -W "\${1#choices }" -- "$2") ;;
    file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2")
      ;;
  esac
}

${fn}() {
  COMPREPLY=()
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" i=1 w spec
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD - 1]}"
  # "--opt=<TAB>": bash made "=" a word of its own.
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    prev="\${COMP_WORDS[COMP_CWORD - 2]}"
  fi
  while ((i < COMP_CWORD)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w == -* ]]; then
      if ${fn}_value "$path" "$w" >/dev/null; then
        ((i++))
        [[ \${COMP_WORDS[i]} == "=" ]] && ((i++))
      fi
    elif [[ " $(${fn}_subcommands "$path") " == *" $w "* ]]; then
      path="\${path:+$path }$w"
    fi
    ((i++))
  done
  if [[ $prev == -* ]] && spec=$(${fn}_value "$path" "$prev"); then
    ${fn}_offer "$spec" "$cur"
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_options "$path")" -- "$cur")
  elif [[ -n $(${fn}_subcommands "$path") ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_subcommands "$path")" -- "$cur")
  elif spec=$(${fn}_positional "$path"); then
    ${fn}_offer "$spec" "$cur"
  fi
  return 0
}

complete -F ${fn} ${program}
`;
}

/** A word for bash, single-quoted. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
