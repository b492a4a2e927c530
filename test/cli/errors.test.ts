import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { blocktime, ROOT } from './run.js';

/** The one line a user sees for each malformed fixture (fixtures/bad/, helper trace-io): file, row or byte, what was expected. */
const BAD: Record<string, string> = {
  'addr-above-2-64.csv': 'fixtures/bad/addr-above-2-64.csv: line 5: row 4: column addr: "18446744073709551616" is above 2^64 - 1; expected a 64-bit address',
  'addr-above-2-64.ndjson': 'fixtures/bad/addr-above-2-64.ndjson: line 2: row 2: key addr: "0x10000000000000000" is above 2^64 - 1; expected a 64-bit address',
  'addr-number-too-big.ndjson':
    'fixtures/bad/addr-number-too-big.ndjson: line 2: row 2: key addr: the number "9007199254740993" is 2^53 or more and may have been rounded; expected a 0x hex string',
  'bad-header.csv': 'fixtures/bad/bad-header.csv: line 1: expected the CSV header t_ns,kind,tid,addr,cpu, got "time,kind,tid,addr,cpu"',
  'duplicate-cpu.csv': 'fixtures/bad/duplicate-cpu.csv: line 4: row 3: cpu 1 declared twice (first at row 2); expected one vcpu row per cpu',
  'empty.arrow': 'fixtures/bad/empty.arrow: empty file; expected an Arrow IPC file or stream',
  'empty.csv': 'fixtures/bad/empty.csv: empty file; expected the CSV header t_ns,kind,tid,addr,cpu',
  'missing-column.arrow': 'fixtures/bad/missing-column.arrow: Arrow schema has no column cpu (expected cpu: int32)',
  'non-numeric.csv': 'fixtures/bad/non-numeric.csv: line 4: row 3: column tid: expected an unsigned 32-bit integer, got "abc"',
  'tid-on-two-cpus.csv': 'fixtures/bad/tid-on-two-cpus.csv: line 4: row 3: tid 101 declared for cpu 2 and for cpu 0 (row 1); expected one cpu per thread',
  'truncated.arrow':
    'fixtures/bad/truncated.arrow: byte 1870: expected the Arrow file footer: the file is truncated (read its complete batches with --input-format arrows)',
  'truncated.csv': 'fixtures/bad/truncated.csv: line 5: row 4: expected 5 fields (t_ns,kind,tid,addr,cpu), got 4',
  'unknown-kind.csv': 'fixtures/bad/unknown-kind.csv: line 5: row 4: column kind: expected vcpu, fault or resolve, got "fualt"',
  'unknown-kind.ndjson': 'fixtures/bad/unknown-kind.ndjson: line 2: row 2: key kind: expected vcpu, fault or resolve, got "page"',
  'vcpu-after-fault.csv': 'fixtures/bad/vcpu-after-fault.csv: line 5: row 4: vcpu row after the first fault or resolve (row 3); expected all vcpu rows first',
  'wrong-schema.arrow': 'fixtures/bad/wrong-schema.arrow: Arrow column tid has type float64, expected uint32 (or another integer type)',
};

/** Legal but damaged: a cut-off Arrow stream yields its complete batches, with a warning. */
const WARN: Record<string, RegExp> = {
  'truncated.arrows': /^blocktime: warning: fixtures\/bad\/truncated\.arrows: byte \d+: the stream is cut off inside a message; kept the \d+ rows of its \d+ complete batches, dropped the rest\n$/,
};

const badFiles = readdirSync(join(ROOT, 'fixtures', 'bad')).filter((f) => !f.startsWith('.') && !f.endsWith('.md'));

describe('malformed input: one line naming the file and place, exit 2, never a stack trace', () => {
  for (const file of badFiles) {
    it(file, async () => {
      // compare opens traces the same way: checked on one file of each format.
      const cmds = ['bad-header.csv', 'unknown-kind.ndjson', 'wrong-schema.arrow'].includes(file) ? ['analyze', 'compare'] : ['analyze'];
      for (const cmd of cmds) {
        const r = await blocktime([cmd, `fixtures/bad/${file}`]);
        if (WARN[file]) {
          expect(r.code).toBe(0);
          expect(r.stderr).toMatch(WARN[file]);
          continue;
        }
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).not.toMatch(/\n\s+at /);
        if (BAD[file]) expect(r.stderr).toBe(`blocktime: ${BAD[file]}\n`);
        // A fixture added later without its message here must still have the shape.
        else expect(r.stderr).toMatch(new RegExp(`^blocktime: fixtures/bad/${file.replace(/\./g, '\\.')}: [^\\n]+\\n$`));
      }
    });
  }
});

/** One test per command line: exactly `message` on stderr, nothing on stdout, exit 2. */
function expectOneLineExit2(cases: Array<[string[], string]>): void {
  for (const [args, message] of cases) {
    it(`blocktime ${args.join(' ')}`, async () => {
      const r = await blocktime(args);
      expect(r.stderr).toBe(message);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    });
  }
}

describe('usage errors', () => {
  const cases: Array<[string[], string]> = [
    [['analyze', 'no/such/trace.arrow'], 'blocktime: no/such/trace.arrow: no such file\n'],
    [['compare', 'no/such/trace.csv'], 'blocktime: no/such/trace.csv: no such file\n'],
    [['analyze', 'fixtures/examples/example1.csv', '--variant', 'lockfree'], "blocktime: --variant: invalid value 'lockfree': expected mutex, exact or atomic\n"],
    [['analyze', 'fixtures/examples/example1.csv', '--vcpus', '0'], "blocktime: --vcpus: invalid value '0': expected a whole number >= 1 like 5000, 2k or 50M\n"],
    [['analyze', 'fixtures/examples/example1.csv', '--vcpus', 'four'], "blocktime: --vcpus: invalid value 'four': expected a whole number >= 1 like 5000, 2k or 50M\n"],
    [['analyze', 'fixtures/examples/example1.csv', '--page-size', '3000'], "blocktime: --page-size: invalid value '3000': expected a power of two like 4096, 4k or 2M\n"],
    [['analyze', 'fixtures/examples/example1.csv', '--format', 'xml'], "blocktime: --format: invalid value 'xml': expected one of arrow, arrows, csv, ndjson, parquet, qemu-log\n"],
    [['compare', 'fixtures/examples/example1.csv', '--explain', 'x'], "blocktime: --explain: invalid value 'x': expected a whole number like 5000, 2k or 50M\n"],
    [
      ['analyze', 'fixtures/examples/example1.csv', '--vcpus', '2'],
      "blocktime: fixtures/examples/example1.csv: line 5: row 3: vcpu row with cpu 2; expected a cpu index below the trace's 2 vCPUs\n",
    ],
  ];
  expectOneLineExit2(cases);

  it('an unknown option or a missing argument is exit 2 with commander\'s message', async () => {
    const unknown = await blocktime(['analyze', 'fixtures/examples/example1.csv', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe("error: unknown option '--bogus'");
    const missing = await blocktime(['compare']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe("error: missing required argument 'trace'");
  });
});

describe('a directory where a file is expected: one line naming it, exit 2', () => {
  // Every command that reads a trace goes through openTrace (or, for import, the log reader): checked once per entry point.
  // analyze, compare, report and query read a directory as a fleet of traces (docs/fleet.md, docs/sql.md; test/cli/fleet.test.ts, test/cli/query.test.ts).
  const cases: Array<[string[], string]> = [
    [['convert', 'fixtures', join(tmpdir(), 'never-written.csv')], 'blocktime: fixtures: is a directory; expected a trace file\n'],
    [['export', 'fixtures', join(tmpdir(), 'never-written.parquet')], 'blocktime: fixtures: is a directory; expected a trace file\n'],
    [['import', 'qemu-log', 'fixtures', '-o', join(tmpdir(), 'never-written.arrow')], 'blocktime: fixtures: is a directory; expected a QEMU trace log\n'],
    [
      ['analyze', 'fixtures/sample.arrow', '--expect', 'fixtures'],
      "blocktime: fixtures: is a directory; expected QEMU's query-migrate result (QMP JSON or HMP info migrate text)\n",
    ],
  ];
  expectOneLineExit2(cases);
});

describe('--help', () => {
  for (const cmd of ['analyze', 'compare']) {
    it(`blocktime ${cmd} --help documents every option and gives examples`, async () => {
      const r = await blocktime([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: blocktime ${cmd} [options] <trace>`);
      for (const opt of ['--vcpus <n>', '--page-size <bytes>', '--input-format <format>', '--json', '--all']) expect(r.stdout).toContain(opt);
      expect(r.stdout).toContain(cmd === 'analyze' ? '--variant <name>' : '--explain <k>');
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+blocktime ${cmd} `));
    });
  }

  it('lists the commands', async () => {
    const r = await blocktime(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n\s+analyze \[options\] <trace>/);
    expect(r.stdout).toMatch(/\n\s+compare \[options\] <trace>/);
  });
});
