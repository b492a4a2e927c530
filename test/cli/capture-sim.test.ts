import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/capture.js';
import { UsageError } from '../../src/errors.js';

const BIN = fileURLToPath(new URL('../../bin/blocktime', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'blocktime-capture-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

const SMALL = ['capture', '--sim', '--vcpus', '3', '--faults', '400'];

describe('blocktime capture --sim', () => {
  it('writes the same bytes for the same seed (other seeds: test/capture/sim) and summarizes on stdout', async () => {
    const [a, b] = await Promise.all([run([...SMALL, '-o', join(dir, 'a.arrow')]), run([...SMALL, '-o', join(dir, 'b.arrow')])]);
    for (const r of [a, b]) expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a.arrow')).equals(readFileSync(join(dir, 'b.arrow')))).toBe(true);
    expect(a.stdout.toString()).toMatch(/^captured [\d,]+ rows, 3 vCPUs/);
    expect(a.stderr).toMatch(/^wrote \S+a\.arrow \(\d+(\.\d)? KiB\)\n$/);
  });

  it('-o - streams the Arrow stream format to stdout, byte for byte what -o FILE.arrows writes', async () => {
    const [piped, file] = await Promise.all([run([...SMALL, '-o', '-']), run([...SMALL, '-o', join(dir, 's.arrows')])]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(file.code, file.stderr).toBe(0);
    expect(piped.stdout.equals(readFileSync(join(dir, 's.arrows')))).toBe(true);
    // The summary goes to stderr when stdout carries the trace.
    expect(piped.stderr).toMatch(/^captured [\d,]+ rows/);
    expect(piped.stderr).not.toContain('wrote');
  });

  it('--json: the options used (scenario under explicit flags) and what was produced', async () => {
    const r = await run(['capture', '--sim', '--scenario', 'clean', '--reentrant', '20%', '--memory', '1000', '--faults', '300', '--json', '-o', join(dir, 'j.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.toString()) as { scenario: string; options: Record<string, unknown>; stats: Record<string, number> };
    expect(j.scenario).toBe('clean');
    expect(j.options).toMatchObject({ reentrant: 0.2, duplicate: 0, memoryBytes: 1000 * 4096, faults: 300 });
    expect(j.stats.vcpuFaults + j.stats.nonVcpuFaults + j.stats.tid0Faults).toBe(300);
    expect(readFileSync(join(dir, 'j.csv'), 'utf8').split('\n').find((l) => !l.startsWith('#'))).toBe('t_ns,kind,tid,addr,cpu');
  });

  it('--cpu, --sort and --top are for --native\'s table: with --sim, exit 2 and one line', async () => {
    const r = await run([...SMALL, '--cpu', '0', '-o', join(dir, 'cpu.arrow')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('blocktime: capture --sim: --cpu, --tid, --sort, --top and --all apply to --native only (--sim prints no per-vCPU table)\n');
  });

  it('-q leaves stderr empty; the summary stays on stdout', async () => {
    const r = await run([...SMALL, '-q', '-o', join(dir, 'q.arrow')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString()).toMatch(/^captured [\d,]+ rows, 3 vCPUs, [\d,.]+ (us|ms|s) simulated, seed 1\n/);
  });

  it('a bad value: exit 2 and one line naming the option and the expected form, no file left', async () => {
    const r = await run(['capture', '--sim', '--latency', '200', '-o', join(dir, 'bad.arrow')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("blocktime: --latency: invalid value '200': expected a duration like 200us, 2ms or 1.5s\n");
    expect(readdirSync(dir).filter((f) => f.includes('bad'))).toEqual([]);
  });

  it('rejects every malformed or contradictory flag with a UsageError naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--latency', '200'], /^--latency: invalid value '200': expected a duration like 200us/],
      [['--memory', '4Q'], /^--memory: invalid value '4Q': expected a size/],
      [['--bandwidth', '100M'], /^--bandwidth: invalid value '100M': expected a rate like 100MB\/s/],
      [['--vcpus', '0'], /^--vcpus: invalid value '0': expected a whole number >= 1/],
      [['--reentrant', '2'], /^--reentrant: invalid value '2': expected a fraction/],
      [['--pattern', 'zigzag'], /^--pattern: invalid value 'zigzag': expected one of seq, random, hotset/],
      [['--duration', '1', '--faults', '10'], /give --duration or --faults, not both/],
      [['--resolvers', '2'], /--resolvers applies to --native only/],
      [['--page-size', '3000'], /^--page-size: expected a power of two/],
      [['--format', 'xml'], /--format: invalid value 'xml'/],
    ];
    for (const [args, message] of cases) {
      const program = new Command('blocktime').exitOverride();
      register(program);
      const err = await program.parseAsync(['capture', '--sim', '-o', join(dir, 'bad.arrow'), ...args], { from: 'user' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, args.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
    expect(readdirSync(dir).filter((f) => f.includes('bad'))).toEqual([]);
  });

  it('asks for --sim or --native, and for an output', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['-o', 'x.arrow'], /give --sim \(simulate\) or --native/],
      [['--sim', '--native', '-o', 'x.arrow'], /either --sim or --native, not both/],
      [['--sim'], /give the output file with -o FILE/],
      [['--native', '--scenario', 'clean', '-o', 'x.arrow'], /--scenario applies to --sim only/],
      [['--native', '--tid0', '0.1', '-o', 'x.arrow'], /--tid0 applies to --sim only/],
      [['--native', '--late-resolve', '0.1', '-o', 'x.arrow'], /--late-resolve applies to --sim only/],
      [['--sim', '--latency', '10ns', '-o', 'x.arrow'], /^--latency: expected a whole number from 1000/],
      [['--sim', '--json', '-o', '-'], /--json prints on stdout, which -o - already uses/],
    ];
    for (const [args, message] of cases) {
      const program = new Command('blocktime').exitOverride();
      register(program);
      await expect(program.parseAsync(['capture', ...args], { from: 'user' }), args.join(' ')).rejects.toThrow(message);
    }
  });

  it('--help documents every knob with its default and every scenario', async () => {
    const r = await run(['capture', '--help']);
    expect(r.code).toBe(0);
    // Commander wraps descriptions to the terminal: compare with the line breaks folded.
    const help = r.stdout.toString().replace(/\s*\n\s*/g, ' ');
    for (const flag of ['--seed', '--vcpus', '--duration', '--faults', '--memory', '--pattern', '--latency', '--latency-spread', '--think', '--bandwidth', '--reentrant', '--late-resolve', '--duplicate', '--received', '--non-vcpu', '--non-vcpu-threads', '--tid0', '--clock-resolution']) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/default 200us/);
    expect(help).toMatch(/default 100M\/s/);
    for (const s of ['clean', 'reentrant', 'late-resolve', 'received-race', 'non-vcpu', 'kvm-async-pf']) expect(r.stdout.toString()).toMatch(new RegExp(`^  ${s} `, 'm'));
  });

  it('--help says what the flags shared with --native mean there: --think in both modes, the native defaults where they differ', async () => {
    const help = (await run(['capture', '--help'])).stdout.toString().replace(/\s*\n\s*/g, ' ');
    expect(help).toMatch(/--think <time> +a vCPU's run time between memory accesses/);
    expect(help).toContain('a vCPU\'s run time between memory accesses: with --sim the mean of an exponential run time between two faults (default 50us); with --native a fixed pause between two touches of guest memory, faulting or not (default 50us)');
    expect(help).toContain('vCPU threads (default 8; --native 4)');
    expect(help).toContain('(default 4G; --native 256M)');
    expect(help).not.toContain('native: a vCPU');
  });
});
