/**
 * Issue 11's fuzz pass over option values: sizes, times, counts, rates and
 * fractions as a user may type them, negative, huge, NaN, in any unit or
 * none. Every parser returns a value within its contract or throws a
 * UsageError (exit 2); every command given such a value ends with exit 0 or
 * 2, one line of error, and bounded memory.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseTolerance } from '../../src/cli/options/expect-options.js';
import { parsePageSize, parsePositiveInt, parseVcpus } from '../../src/cli/options/trace-options.js';
import { MAX_VCPUS, isPowerOfTwo } from '../../src/trace/schema.js';
import { parseCount, parseDuration, parseFraction, parseNumber, parseRate, parseSize } from '../../src/units.js';
import { ROOT } from '../cli/run.js';
import { blocktimeMeasured, scratchDir } from './measured.js';

const SEED = 20261201;
const dir = scratchDir('blocktime-adversarial-options-');

const NUMBERS = ['0', '1', '-1', '-0', '0.5', '.5', '5.', '1e-9', '1E3', '65536', '65537', '4294967296', '9007199254740991', '9007199254740992', '9007199254740993', '1e15', '1e16', '1e300', '1e309', '-1e309'];
const WORDS = ['Infinity', '-Infinity', 'NaN', 'nan', '0x10', '0b1', '1_000', '１２', '٣', '', ' ', '  5  ', '5 5', '--', '∞'];
const UNITS = ['', 'k', 'K', 'm', 'M', 'g', 'G', 't', 'T', 'p', 'P', 'e', 'E', 'b', 'B', 'kb', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ns', 'us', 'µs', 'ms', 's', 'min', 'h', 'd', 'w', '%', '/s', 'M/s', 'G/s', 'x'];

/** What a user may type where a number is expected, whatever the option. */
const value = fc.oneof(
  fc.tuple(fc.oneof(fc.integer({ min: -100000, max: 100000 }).map(String), fc.constantFrom(...NUMBERS)), fc.constantFrom(...UNITS), fc.constantFrom('', ' ')).map(([n, u, sp]) => `${n}${sp}${u}`),
  fc.constantFrom(...WORDS),
  fc.stringMatching(/^[0-9]{17,400}$/),
  fc.string({ maxLength: 20 }),
);

/** Values an option of each kind takes, from the smallest to the largest it accepts and just past it. */
const PLAUSIBLE = {
  count: ['0', '1', '8', '4096', '65536', '65537', '2k', '1e6', '50M', '1G', '9007199254740991'],
  size: ['512', '4096', '4k', '64K', '2M', '16M', '1G', '4T', '4P', '8P'],
  duration: ['1ns', '1', '200us', '1ms', '10ms', '1s', '1h', '2400h', '2500h'],
  fraction: ['0', '0.3', '30%', '1', '100%', '101%'],
  rate: ['0', '100M/s', '1G/s', '1P/s'],
  number: ['0', '0.5', '4', '5'],
  tolerance: ['0', 'exact', '1%', '100%', '1e6%'],
} as const;
type Kind = keyof typeof PLAUSIBLE;
const valueFor = (kind: Kind): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PLAUSIBLE[kind]) }, { weight: 2, arbitrary: value });

/** Calls `parse`; it must return a value `ok` accepts, or throw a UsageError on one line. */
function withinContract<T>(parse: () => T, ok: (v: T) => boolean): void {
  let v: T;
  try {
    v = parse();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('\n');
    return;
  }
  expect(ok(v), `accepted ${String(v)}`).toBe(true);
}

describe('the option parsers: a value within the contract, or a UsageError', () => {
  const whole = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: number) => Number.isSafeInteger(v) && v >= min && v <= max;
  const cases: Array<[string, (text: string) => number, (v: number) => boolean]> = [
    ['parseCount', (t) => parseCount('--n', t, 0), whole(0)],
    ['parseCount >= 1', (t) => parseCount('--n', t, 1), whole(1)],
    ['parseSize', (t) => parseSize('--memory', t), whole(0)],
    ['parseDuration', (t) => parseDuration('--latency', t), whole(0)],
    ['parseDuration, bare seconds', (t) => parseDuration('--duration', t, 's'), whole(0)],
    ['parseRate', (t) => parseRate('--bandwidth', t), (v) => Number.isFinite(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER],
    ['parseFraction', (t) => parseFraction('--reentrant', t), (v) => v >= 0 && v <= 1],
    ['parseNumber', (t) => parseNumber('--latency-spread', t, 0), (v) => Number.isFinite(v) && v >= 0],
    ['parseVcpus', parseVcpus, whole(1, MAX_VCPUS)],
    ['parsePageSize', parsePageSize, (v) => isPowerOfTwo(v)],
    ['parsePositiveInt', (t) => parsePositiveInt('--top', t), whole(1)],
    ['parseTolerance', parseTolerance, (v) => Number.isFinite(v) && v >= 0],
  ];
  for (const [name, parse, ok] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(value, (text) => withinContract(() => parse(text), ok)),
        { numRuns: 300, seed: SEED },
      );
    });
  }
});

const EXAMPLE = join(ROOT, 'fixtures', 'examples', 'example1.csv');
const LOG = join(ROOT, 'fixtures', 'qemu', 'example1-7.2.log');
const QMP = join(ROOT, 'fixtures', 'qemu', 'example1-7.2.qmp.json');
/** A small simulation, which no value of one option makes large: memory bounds the faults, --faults bounds the time. */
const SIM = ['capture', '--sim', '--faults', '50', '--memory', '16M', '--duration', '10ms'];
const SIM_OPTIONS: Record<string, Kind> = {
  '--seed': 'count',
  '--vcpus': 'count',
  '--duration': 'duration',
  '--faults': 'count',
  '--memory': 'size',
  '--page-size': 'size',
  '--latency': 'duration',
  '--latency-spread': 'number',
  '--think': 'duration',
  '--bandwidth': 'rate',
  '--reentrant': 'fraction',
  '--late-resolve': 'fraction',
  '--duplicate': 'fraction',
  '--received': 'fraction',
  '--non-vcpu': 'fraction',
  '--non-vcpu-threads': 'count',
  '--tid0': 'fraction',
  '--clock-resolution': 'duration',
  '--batch-rows': 'count',
};
const TRACE_OPTIONS: Record<string, Kind> = { '--vcpus': 'count', '--page-size': 'size' };

/** A command line with one option given the value: the value's place, as `--option=value` so that `-1` stays a value. */
const COMMANDS: Array<{ args: (out: string) => string[]; options: Record<string, Kind> }> = [
  { args: () => ['analyze', EXAMPLE], options: { ...TRACE_OPTIONS, '--top': 'count' } },
  { args: () => ['compare', EXAMPLE], options: { ...TRACE_OPTIONS, '--top': 'count', '--explain': 'count' } },
  { args: (out) => ['convert', EXAMPLE, `${out}.arrows`], options: TRACE_OPTIONS },
  { args: (out) => ['import', 'qemu-log', LOG, '-o', `${out}.arrow`], options: TRACE_OPTIONS },
  { args: () => ['analyze', LOG, '--expect', QMP], options: { ...TRACE_OPTIONS, '--tolerance': 'tolerance', '--explain': 'count' } },
  { args: (out) => [...SIM, '-o', `${out}.arrow`], options: SIM_OPTIONS },
];

describe('every command, any value of one of its options: exit 0 or 2, one line, bounded memory', () => {
  /** Peak memory of a run on these small inputs: the CLI itself takes 50 to 150 MiB. */
  const PEAK_MIB = 400;
  const line = fc
    .nat(COMMANDS.length - 1)
    .chain((c) => fc.constantFrom(...Object.entries(COMMANDS[c]!.options)).chain(([option, kind]) => fc.tuple(fc.constant(c), fc.constant(option), valueFor(kind))));

  it('runs each', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(line, async ([c, option, text]) => {
        const args = [...COMMANDS[c]!.args(join(dir, `out-${k++}`)), `${option}=${text}`];
        const r = await blocktimeMeasured(args);
        const said = `${args.join(' ')}\n${r.stderr}`;
        // --expect ends in 3 when QEMU's figures and the replay disagree: a verdict, not a failure.
        expect(args.includes('--expect') ? [0, 2, 3] : [0, 2], said).toContain(r.code);
        expect(r.stderr, said).not.toContain('internal error');
        const errors = r.stderr.trimEnd().split('\n').filter((l) => l !== '' && !l.startsWith('blocktime: warning: '));
        if (r.code === 2) expect(errors, said).toHaveLength(1);
        expect(r.peakMiB, said).toBeLessThan(PEAK_MIB);
      }),
      { numRuns: 30, seed: SEED },
    );
  });
});
