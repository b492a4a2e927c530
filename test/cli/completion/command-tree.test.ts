import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { commandTree } from '../../../src/cli/completion/command-tree.js';
import { createProgram } from '../../../src/cli/main.js';

function commandAt(program: Command, path: readonly string[]): Command {
  return path.reduce((cmd, name) => cmd.commands.find((c) => c.name() === name)!, program);
}

describe('commandTree', () => {
  it('has every command, and for each exactly the options its --help lists', async () => {
    const program = await createProgram();
    const tree = commandTree(program);
    expect(tree.map((c) => c.path.join(' '))).toEqual(['', 'analyze', 'compare', 'capture', 'convert', 'import', 'import qemu-log', 'query', 'export', 'report', 'lab', 'latency', 'completion']);
    for (const c of tree) {
      const help = commandAt(program, c.path).helpInformation();
      const listed = [...help.slice(help.indexOf('Options:')).matchAll(/^ {2}(-\w, )?(--[\w-]+)/gm)].flatMap((m) => (m[1] ? [m[1].slice(0, 2), m[2]!] : [m[2]!]));
      expect([c.path.join(' '), c.options.flatMap((o) => o.names).sort()]).toEqual([c.path.join(' '), listed.sort()]);
    }
  });

  it("gives options' choices, tells path values from others, and positional arguments", async () => {
    const tree = commandTree(await createProgram());
    const option = (path: string, name: string) => tree.find((c) => c.path.join(' ') === path)!.options.find((o) => o.names.includes(name))!;
    expect(option('analyze', '--variant').value).toEqual({ choices: ['mutex', 'atomic', 'exact'], file: false });
    expect(option('convert', '--output-format').value).toEqual({ choices: ['arrow', 'arrows', 'csv', 'ndjson'], file: false });
    for (const [path, name] of [['analyze', '--expect'], ['query', '--db'], ['query', '-f'], ['capture', '-o'], ['import qemu-log', '--output'], ['report', '-o']] as const) {
      expect([path, name, option(path, name).value]).toEqual([path, name, { file: true }]);
    }
    for (const [path, name] of [['analyze', '--vcpus'], ['capture', '--duration'], ['compare', '--explain']] as const) expect(option(path, name).value).toEqual({ file: false });
    expect(option('analyze', '--json').value).toBeUndefined();
    const positional = Object.fromEntries(tree.map((c) => [c.path.join(' '), c.positional]));
    expect(positional).toMatchObject({ '': 'none', analyze: 'files', capture: 'none', import: 'none', 'import qemu-log': 'files', completion: { choices: ['bash', 'zsh', 'fish'] } });
  });
});
