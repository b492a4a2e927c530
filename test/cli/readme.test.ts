/**
 * Every command line a user can copy from README.md works. The shell lines of
 * its fenced code blocks (sh, bash, shell, console or unlabeled; a `$ `
 * prompt is dropped, `\` continuations joined) that start with `blocktime`,
 * `npx blocktime` or `npm start` are run in order, in one scratch directory
 * that sees the repository's fixtures, so a line may use a file an earlier
 * line wrote. A block whose info string contains `no-test` is skipped (for
 * lines that need hardware or root, e.g. native capture).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { BIN, ROOT, runCommand } from './run.js';

export function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  const fence = /^(```+|~~~+)[ \t]*([^\n]*)\n([\s\S]*?)^\1[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) {
    const info = m[2]!.trim();
    const lang = info.split(/\s+/)[0] ?? '';
    if (!['', 'sh', 'bash', 'shell', 'console', 'zsh'].includes(lang) || /\bno-test\b/.test(info)) continue;
    const lines = m[3]!.replace(/\s*\\\n\s*/g, ' ').split('\n');
    for (const raw of lines) {
      const line = raw.trim().replace(/^\$\s+/, '');
      if (/^(npx\s+)?blocktime(\s|$)/.test(line) || /^npm\s+(start|run\s+start)(\s|$)/.test(line)) out.push(line);
    }
  }
  return out;
}

describe('readmeCommands', () => {
  it('finds the blocktime lines of shell blocks, prompts and continuations handled', () => {
    const md = [
      '```sh',
      'npm install',
      '$ npx blocktime analyze fixtures/sample.arrow \\',
      '    --variant exact',
      'blocktime compare t.arrow --json | jq .total',
      '```',
      '```json',
      'blocktime not-a-command',
      '```',
      '```sh no-test',
      'blocktime capture -o x.arrow',
      '```',
      '```',
      'npm start',
      '```',
    ].join('\n');
    expect(readmeCommands(md)).toEqual(['npx blocktime analyze fixtures/sample.arrow --variant exact', 'blocktime compare t.arrow --json | jq .total', 'npm start']);
  });
});

describe('README.md command lines', () => {
  const path = join(ROOT, 'README.md');
  const readme = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const commands = readmeCommands(readme);
  const scratch = mkdtempSync(join(tmpdir(), 'blocktime-readme-'));
  // `blocktime` on PATH runs this checkout's build, as `npm link` would.
  const bin = join(scratch, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'blocktime'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'blocktime'), 0o755);
  symlinkSync(join(ROOT, 'fixtures'), join(scratch, 'fixtures'));
  // A home of its own, so that lines installing files there (completion scripts) leave the user's alone.
  const home = join(scratch, 'home');
  mkdirSync(home);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has command lines to check', () => {
    expect(commands.length, 'README.md is missing or shows no blocktime command').toBeGreaterThan(0);
  });

  for (const line of commands) {
    it(line, async () => {
      const npm = /^npm\s/.test(line);
      // npx would look the package up in the registry: run this checkout instead.
      const cmd = line.replace(/^npx\s+blocktime/, 'blocktime');
      // The directories a line writes into under ~ exist, as the README's `mkdir -p` line makes them.
      for (const m of cmd.matchAll(/>\s*~\/(\S+)/g)) mkdirSync(dirname(join(home, m[1]!)), { recursive: true });
      const r = await runCommand('sh', ['-c', `set -e; ${cmd}`], {
        cwd: npm ? ROOT : scratch,
        env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home },
      });
      expect(r.stderr.split('\n').filter((l) => /^blocktime: (?!warning)/.test(l))).toEqual([]);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
    });
  }
});
