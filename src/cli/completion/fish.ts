/**
 * The fish completion script: one `complete` line per subcommand, option
 * and positional argument, each under the condition that the words typed so
 * far name its command (`__fish_seen_subcommand_from`). Files are offered
 * only where a command or an option takes one.
 */
import type { CompletedCommand, CompletedOption } from './command-tree.js';

export function fishScript(program: string, tree: readonly CompletedCommand[]): string {
  const lines: string[] = [];
  for (const c of tree) {
    const condition = conditionOf(c);
    const head = `complete -c ${program} -n ${quote(condition)}`;
    for (const s of c.subcommands) lines.push(`${head} -f -a ${quote(s.name)} -d ${quote(s.help)}`);
    for (const o of c.options) lines.push(`${head} ${optionFlags(o)} -d ${quote(o.help)}`);
    if (c.positional === 'files') lines.push(`${head} -F`);
    else if (c.positional !== 'none') lines.push(`${head} -f -a ${quote(c.positional.choices.join(' '))}`);
  }
  return `# fish completion for ${program}, written by \`${program} completion fish\`.
# Save it as ~/.config/fish/completions/${program}.fish.

complete -c ${program} -f
${lines.join('\n')}
`;
}

/** True while the words typed name this command and none of its subcommands. */
function conditionOf(c: CompletedCommand): string {
  const seen = c.path.map((name) => `__fish_seen_subcommand_from ${name}`);
  const below = c.subcommands.map((s) => s.name);
  if (c.path.length === 0) return '__fish_use_subcommand';
  return [...seen, ...(below.length > 0 ? [`not __fish_seen_subcommand_from ${below.join(' ')}`] : [])].join('; and ');
}

function optionFlags(o: CompletedOption): string {
  const names = o.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
  if (!o.value) return names;
  if (o.value.choices) return `${names} -x -a ${quote(o.value.choices.join(' '))}`;
  return o.value.file ? `${names} -r -F` : `${names} -x`;
}

/** A word for fish, single-quoted (where only \\ and ' are special). */
function quote(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}
