import { Argument, type Command } from 'commander';
import { bashScript } from './completion/bash.js';
import { commandTree } from './completion/command-tree.js';
import { fishScript } from './completion/fish.js';
import { zshScript } from './completion/zsh.js';
import { withExamples } from './help-examples.js';

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript };
type Shell = keyof typeof SCRIPTS;

export function register(program: Command): void {
  const cmd = program
    .command('completion')
    .description("Print a shell completion script: blocktime's commands, options, their choices (--variant, --scenario, formats) and file arguments.")
    .addArgument(new Argument('<shell>', 'the shell it is for').choices(Object.keys(SCRIPTS)))
    .action((shell: Shell) => {
      // Read off the program as registered: the script completes what the parser accepts.
      process.stdout.write(SCRIPTS[shell](program.name(), commandTree(program)));
    });
  withExamples(cmd, [
    ['blocktime completion bash > ~/.local/share/bash-completion/completions/blocktime', 'or in ~/.bashrc: source <(blocktime completion bash)'],
    ['blocktime completion zsh > ~/.zfunc/_blocktime', 'with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc'],
    'blocktime completion fish > ~/.config/fish/completions/blocktime.fish',
  ]);
}
