/**
 * Every command's --help ends with two or three examples, and every example
 * is a command line blocktime accepts: each is parsed against the program
 * (commands, options, their values), and run, in order, in a directory
 * holding the files they name (copies of the fixtures), save those that need
 * this machine's userfaultfd.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CommanderError, type Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { examplesOf } from '../../src/cli/help-examples.js';
import { createProgram } from '../../src/cli/main.js';
import { BIN, ROOT, runCommand } from './run.js';

function allCommands(cmd: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return [{ path, cmd }, ...cmd.commands.flatMap((c) => allCommands(c, [...path, c.name()]))];
}

/** What `cmd --help` prints. */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

/** The words of each `blocktime ...` command in a shell line (pipes, redirections and comments left out). */
function blocktimeInvocations(line: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let redirected = false;
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\|\|?|&&|;|#.*$|\d?>>?|<)|([^\s'"|;<>]+)/g)) {
    if (m[3] !== undefined) {
      if (/^(\|\|?|&&|;|#)/.test(m[3])) {
        if (words[0] === 'blocktime') out.push(words);
        words = [];
        redirected = false;
      } else redirected = true;
      continue;
    }
    if (redirected) {
      redirected = false;
      continue;
    }
    words.push(m[1] ?? m[2] ?? m[4]!);
  }
  if (words[0] === 'blocktime') out.push(words);
  return out;
}

describe('blocktimeInvocations', () => {
  it('finds the blocktime commands of a line, quoted words whole, without pipes, redirections and comments', () => {
    expect(blocktimeInvocations(`cat t.csv | blocktime analyze - --json | jq .x   # note`)).toEqual([['blocktime', 'analyze', '-', '--json']]);
    expect(blocktimeInvocations(`blocktime query t.arrow "SELECT 'a' FROM x" > out.csv`)).toEqual([['blocktime', 'query', 't.arrow', "SELECT 'a' FROM x"]]);
    expect(blocktimeInvocations(`blocktime capture --sim -o - | blocktime analyze -`)).toEqual([
      ['blocktime', 'capture', '--sim', '-o', '-'],
      ['blocktime', 'analyze', '-'],
    ]);
  });
});

describe('help examples', async () => {
  const program = await createProgram();
  const commands = allCommands(program);

  for (const { path, cmd } of commands) {
    const name = ['blocktime', ...path].join(' ');
    it(`${name} --help ends with two or three examples of ${name}`, () => {
      const examples = examplesOf(cmd);
      expect(examples.length).toBeGreaterThanOrEqual(2);
      expect(examples.length).toBeLessThanOrEqual(3);
      const help = helpOf(cmd);
      const block = help.slice(help.lastIndexOf('\nExamples:\n'));
      expect(block).toMatch(/^\nExamples:\n( {2}\S.*\n)+$/);
      for (const e of examples) {
        expect(block).toContain(`  ${e}`);
        expect(blocktimeInvocations(e).length, e).toBeGreaterThan(0);
      }
      // One may show a neighbour (export's: query --print-views), most show the command itself.
      const own = examples.filter((e) => blocktimeInvocations(e).some((words) => words.slice(1, 1 + path.length).join(' ') === path.join(' ')));
      expect(own.length).toBeGreaterThanOrEqual(2);
    });
  }

  it('every example parses: its command, options and their values are accepted', async () => {
    const examples = commands.flatMap(({ cmd }) => examplesOf(cmd));
    for (const line of examples) {
      for (const words of blocktimeInvocations(line)) {
        // A program of our own per line: commander keeps option values between parses.
        const parser = await createProgram();
        let reached: string | undefined;
        for (const { path, cmd } of allCommands(parser)) {
          cmd.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
          if (path.length > 0 && cmd.commands.length === 0) cmd.action(() => void (reached = path.join(' ')));
        }
        try {
          await parser.parseAsync(words.slice(1), { from: 'user' });
        } catch (err) {
          // --help, in an example, ends parsing with exit code 0.
          if (!(err instanceof CommanderError && err.exitCode === 0)) throw new Error(`${line}: ${err instanceof Error ? err.message : String(err)}`);
          reached = 'help';
        }
        expect([line, reached]).toEqual([line, expect.any(String)]);
      }
    }
  });

  /** Commands whose examples are parsed but not run: they need userfaultfd (Linux, permission) and take seconds each. */
  const NOT_RUN: Record<string, string> = { lab: 'native captures' };
  const scratch = mkdtempSync(join(tmpdir(), 'blocktime-examples-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('every example runs, in order, on copies of the fixtures under the names it uses', { timeout: 600_000 }, async () => {
    const bin = join(scratch, '.bin');
    const home = join(scratch, 'home');
    for (const d of [bin, home, join(home, '.local/share/bash-completion/completions'), join(home, '.zfunc'), join(home, '.config/fish/completions')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(bin, 'blocktime'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'blocktime'), 0o755);
    const fixture = (name: string) => join(ROOT, 'fixtures', name);
    copyFileSync(fixture('sample.arrow'), join(scratch, 'trace.arrow'));
    copyFileSync(fixture('examples/example1.csv'), join(scratch, 'trace.csv'));
    mkdirSync(join(scratch, 'traces'));
    copyFileSync(fixture('examples/example1.csv'), join(scratch, 'traces', 'a.csv'));
    copyFileSync(fixture('examples/example2.csv'), join(scratch, 'traces', 'b.csv'));
    copyFileSync(fixture('qemu/example1-11.1.log'), join(scratch, 'dst-trace.log'));
    writeFileSync(join(scratch, 'dst-trace.log.gz'), gzipSync(readFileSync(fixture('qemu/example1-11.1.log'))));
    copyFileSync(fixture('qemu/moved-resolve-7.2.log'), join(scratch, 'old.log'));
    for (const side of ['dst', 'src']) {
      copyFileSync(fixture(`latency/${side}-7.2.log`), join(scratch, `${side}.log`));
      writeFileSync(join(scratch, `${side}.log.gz`), gzipSync(readFileSync(fixture(`latency/${side}-7.2.log`))));
    }
    const lines = commands.filter(({ path }) => !(path[0]! in NOT_RUN)).flatMap(({ cmd }) => examplesOf(cmd));
    for (const line of lines) {
      const r = await runCommand('bash', ['-c', `set -eo pipefail; ${line}`], { cwd: scratch, env: { HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      expect(r.stderr.split('\n').filter((l) => /^blocktime: (?!warning|note)/.test(l)), line).toEqual([]);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
    }
  });
});
