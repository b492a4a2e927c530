/**
 * `blocktime completion bash|zsh|fish` as a user installs it: the bash script
 * loaded into a real bash and its completion function driven as bash drives
 * it on TAB (COMP_WORDS, COMP_CWORD), reading COMPREPLY; the zsh and fish
 * scripts checked by their shells' `-n` where installed, else for what they
 * must contain.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, blocktime } from './run.js';

let dir: string;
let bin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blocktime-completion-'));
  // `blocktime` on PATH, as `npm link` puts it there.
  bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'blocktime'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'blocktime'), 0o755);
  mkdirSync(join(dir, 'work'));
  for (const f of ['trace.arrow', 'trace.csv', 'notes.txt']) writeFileSync(join(dir, 'work', f), '');
  // Written once; the first test loads it as the README says, straight from the command.
  writeFileSync(join(dir, 'blocktime.bash'), execFileSync(process.execPath, [BIN, 'completion', 'bash'], { encoding: 'utf8' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the words typed (the last one is being completed). */
function complete(words: string[]): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `source '${join(dir, 'blocktime.bash')}' || exit 9
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
_blocktime
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['-c', script], { cwd: join(dir, 'work'), encoding: 'utf8' });
  return out.split('\n').filter(Boolean).sort();
}

describe('blocktime completion bash', () => {
  it('registers a completion function for blocktime in bash', () => {
    const out = execFileSync('bash', ['-c', 'source <(blocktime completion bash) && complete -p blocktime'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    expect(out.trim()).toBe('complete -F _blocktime blocktime');
  });

  it('completes commands, and a command with subcommands', () => {
    expect(complete(['blocktime', 'c'])).toEqual(['capture', 'compare', 'completion', 'convert']);
    expect(complete(['blocktime', ''])).toContain('analyze');
    expect(complete(['blocktime', 'import', ''])).toEqual(['qemu-log']);
  });

  it("completes a command's options, after other words and options", () => {
    expect(complete(['blocktime', 'analyze', '--v'])).toEqual(['--variant', '--vcpus']);
    expect(complete(['blocktime', 'analyze', 'trace.arrow', '--json', '--ti'])).toEqual(['--tid', '--timing']);
    expect(complete(['blocktime', 'import', 'qemu-log', '--no'])).toEqual(['--no-accounting']);
    // The older spellings --help hides are not offered either.
    expect(complete(['blocktime', 'convert', '--'])).not.toContain('--to');
  });

  it("offers an option's choices, and only them, whether the value follows or comes after =", () => {
    expect(complete(['blocktime', 'analyze', '--variant', ''])).toEqual(['atomic', 'exact', 'mutex']);
    expect(complete(['blocktime', 'analyze', 'trace.arrow', '--variant', 'ex'])).toEqual(['exact']);
    expect(complete(['blocktime', 'capture', '--scenario', 're'])).toEqual(['received-race', 'reentrant']);
    expect(complete(['blocktime', 'compare', '--input-format', '=', ''])).toEqual(['arrow', 'arrows', 'csv', 'ndjson', 'parquet', 'qemu-log']);
    expect(complete(['blocktime', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
    expect(complete(['blocktime', 'capture', '--sort', ''])).toEqual(['blocktime', 'cpu', 'faults', 'latency']);
    // A value that is neither a choice nor a file: nothing to offer.
    expect(complete(['blocktime', 'analyze', '--vcpus', ''])).toEqual([]);
  });

  it('offers files for a trace argument and an option that takes a path, and skips option values when finding the command', () => {
    expect(complete(['blocktime', 'analyze', 'tr'])).toEqual(['trace.arrow', 'trace.csv']);
    expect(complete(['blocktime', 'query', '--db', 'n'])).toEqual(['notes.txt']);
    expect(complete(['blocktime', 'capture', '-o', 'trace.a'])).toEqual(['trace.arrow']);
    // "csv" is --input-format's value, not a subcommand or a trace: the next word is the trace.
    expect(complete(['blocktime', 'analyze', '--input-format', 'csv', 'trace.c'])).toEqual(['trace.csv']);
  });
});

function hasShell(name: string): boolean {
  return spawnSync(name, ['-c', 'true']).status === 0;
}

describe('blocktime completion zsh and fish', () => {
  it('writes a zsh script that parses, and completes every command with its options and choices', async () => {
    const r = await blocktime(['completion', 'zsh']);
    expect(r.code).toBe(0);
    if (hasShell('zsh')) {
      const file = join(dir, '_blocktime');
      writeFileSync(file, r.stdout);
      expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    }
    expect(r.stdout.startsWith('#compdef blocktime\n')).toBe(true);
    for (const fn of ['_blocktime', '_blocktime_analyze', '_blocktime_import', '_blocktime_import_qemu_log', '_blocktime_completion']) expect(r.stdout).toContain(`\n${fn}() {`);
    expect(r.stdout).toContain("'--variant=[mutex (QEMU 10.1+), atomic (QEMU 2.12-10.0) or exact (the union of every wait)]:value:(mutex atomic exact)'");
    expect(r.stdout).toMatch(/'--scenario=\[[^\]]*\]:value:\(clean reentrant late-resolve received-race non-vcpu kvm-async-pf\)'/);
    expect(r.stdout).toMatch(/'\(-o --output\)-o\[[^\]]*\]:file:_files'/);
    expect(r.stdout).toContain("'*:file:_files'");
    expect(r.stdout).toContain('compdef _blocktime blocktime');
    // Single quotes balance: no description broke out of its word.
    expect((r.stdout.replace(/'\\''/g, '').match(/'/g) ?? []).length % 2).toBe(0);
  });

  it('writes a fish script that parses, and completes every command with its options and choices', async () => {
    const r = await blocktime(['completion', 'fish']);
    expect(r.code).toBe(0);
    if (hasShell('fish')) {
      const file = join(dir, 'blocktime.fish');
      writeFileSync(file, r.stdout);
      expect(spawnSync('fish', ['-n', file]).status).toBe(0);
    }
    const lines = r.stdout.split('\n');
    expect(lines).toContain("complete -c blocktime -n '__fish_use_subcommand' -f -a 'analyze' -d 'Replay a trace through one blocktime design and report per-vCPU and total blocktime, latencies and anomalies'");
    expect(lines).toContain("complete -c blocktime -n '__fish_seen_subcommand_from import; and not __fish_seen_subcommand_from qemu-log' -f -a 'qemu-log' -d 'Import a QEMU trace log (the destination''s -trace output, plain, gzipped or zstd) as a trace, with QEMU''s own accounting lines beside it'".replace(/''/g, "\\'"));
    expect(r.stdout).toMatch(/\ncomplete -c blocktime -n '__fish_seen_subcommand_from analyze' -l variant -x -a 'mutex atomic exact' -d '[^\n]*'\n/);
    expect(r.stdout).toMatch(/\ncomplete -c blocktime -n '__fish_seen_subcommand_from capture' -s o -l output -r -F -d '[^\n]*'\n/);
    expect(lines).toContain("complete -c blocktime -n '__fish_seen_subcommand_from analyze' -F");
    for (const line of lines.filter((l) => l.startsWith('complete'))) expect((line.replace(/\\./g, '').match(/'/g) ?? []).length % 2, line).toBe(0);
  });

  it('refuses a shell it has no script for, in one line with exit 2', async () => {
    const r = await blocktime(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("error: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
  });
});
