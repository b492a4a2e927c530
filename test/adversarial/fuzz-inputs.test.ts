/**
 * Issue 11's fuzz pass over the inputs the readers' own fuzzing
 * (test/trace/fuzz.test.ts) leaves out: QEMU logs, gzip and zstd data, and
 * `--expect` files. Whatever the bytes, blocktime reads them or refuses them
 * as the user's (an error with exit code 2, on one line); a few of each go
 * through the built CLI too, with their peak memory bounded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstQemu } from '../../src/check/check.js';
import { compareTrace } from '../../src/compare/compare.js';
import { BlocktimeError, ExitCode } from '../../src/errors.js';
import { importQemuLog } from '../../src/formats/import-log.js';
import { openTrace } from '../../src/formats/open.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { ROOT } from '../cli/run.js';
import { zstdStored } from '../formats/compress.js';
import { sampleTrace } from '../trace/helpers.js';
import { blocktimeMeasured, scratchDir } from './measured.js';

const dir = scratchDir('blocktime-adversarial-fuzz-');
const SEED = 20261201;
let n = 0;
const fresh = (name: string): string => join(dir, `${n++}-${name}`);
const writeFresh = (name: string, data: string | Uint8Array): string => {
  const path = fresh(name);
  writeFileSync(path, data);
  return path;
};

/** Runs `work`; anything it throws must be the user's: a BlocktimeError with exit code 2, on one line. */
async function readsOrRefuses(work: () => Promise<unknown>, allowed: number[] = [ExitCode.badInput]): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof BlocktimeError) || !allowed.includes(err.exitCode)) throw err;
    expect(err.message).not.toContain('\n');
  }
}

/**
 * Peak resident memory of this test file's process so far, in MiB: the
 * properties run in-process, and a decoder that allocated what a header asks
 * for would show here. The runner and its modules take about 200 MiB.
 */
const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;
const IN_PROCESS_PEAK_MIB = 1024;

/** Opens a trace and replays it through every design (compare runs all three and the observer). */
async function replayAll(path: string, opts: Parameters<typeof openTrace>[1] = {}): Promise<void> {
  const source = await openTrace(path, { onWarning: () => undefined, ...opts });
  try {
    await compareTrace(source, { explain: 3 });
  } finally {
    await source.close();
  }
}

// --- byte-level mutations, as the readers' fuzzing does them ---

type Mutation = { at: number; op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; byte: number };
const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'), byte: fc.integer({ min: 0, max: 255 }) }) as fc.Arbitrary<Mutation>;

function mutate(src: Uint8Array, muts: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.op === 'flip') b[at] = b[at]! ^ (1 << m.byte % 8);
    else if (m.op === 'set') b[at] = m.byte;
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.of(m.byte), b.subarray(at)]);
    else if (m.op === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    else b = b.subarray(0, at);
  }
  return b;
}

// --- QEMU trace logs, from the grammar of docs/qemu-logs.md, with hostile numbers ---

/** Numbers as they may appear in a log: mostly plausible; at the limits, past them, or not numbers at all now and then. */
const number = fc.oneof(
  { weight: 30, arbitrary: fc.nat(40).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('-1', '-2', '0', '65535', '65536', '70000', '2147483647', '2147483648', '4294967295', '4294967296') },
  { weight: 1, arbitrary: fc.constantFrom('18446744073709551615', '18446744073709551616', '99999999999999999999999999', '', '1e5', '0x10', '٣') },
);
/** Addresses: a few pages, so that faults and placements meet, and hostile hex now and then. */
const hex = fc.oneof(
  { weight: 30, arbitrary: fc.nat(7).map((p) => (0x7f0e17c00000 + p * 0x1000).toString(16)) },
  { weight: 1, arbitrary: fc.constantFrom('0', 'ffffffffffffffff', '10000000000000000', 'fffffffffffff000', '', 'xyz') },
);
const EVENTS: Array<(v: string[], h: string[]) => string> = [
  (v, h) => `postcopy_ram_fault_thread_request Request for HVA=0x${h[0]} rb=pc.ram offset=0x${h[1]} pid=${v[0]}`,
  (v) => `get_mem_fault_cpu_index cpu: ${v[0]}, pid: ${v[1]}`,
  (v, h) => `mark_postcopy_blocktime_begin addr: 0x${h[0]}, dd: 0x562e95df5250, time: ${v[0]}, cpu: ${v[1]}, already_received: ${v[2] === '1' ? 1 : 0}`,
  (v, h) => `mark_postcopy_blocktime_end addr: 0x${h[0]}, dd: 0x562e95df5250, time: ${v[0]}, affected_cpu: ${v[1]}`,
  (v) => `postcopy_blocktime_tid_cpu_map cpu: ${v[0]}, tid: ${v[1]}`,
  (v, h) => `postcopy_blocktime_begin addr: 0x${h[0]}, time: 17956640${v[0]}${v[3]}, cpu: ${v[1]}, exist: ${v[2] === '1' ? 1 : 0}`,
  (v, h) => `postcopy_blocktime_end addr: 0x${h[0]}, time: 17956640${v[0]}${v[3]}, affected_cpus: ${v[1]}, affected_non_cpus: ${v[2]}`,
  (v) => `postcopy_blocktime_end_one cpu: ${v[0]}, left_faults: ${v[1]}`,
  (_, h) => `postcopy_place_page host=0x${h[0]}`,
  (_, h) => `postcopy_place_page_zero host=0x${h[0]}`,
  () => 'migrate_set_state new state postcopy-active',
];
/** Each log's prefix form (docs/qemu-logs.md): none, TID@S.US:, ISO time; its lines' times move forward. */
type PrefixForm = 'none' | 'tid' | 'iso';
const renderPrefix = (form: PrefixForm, k: number, pid: string): string =>
  form === 'none' ? '' : form === 'tid' ? `${pid}@${1795664025 + Math.floor(k / 1000)}.${String((k % 1000) * 997).padStart(6, '0')}:` : `2026-11-26T03:50:${String(10 + Math.floor(k / 1000)).padStart(2, '0')}.${String((k % 1000) * 997).padStart(6, '0')}Z `;
const logLine = fc.oneof(
  { weight: 20, arbitrary: fc.record({ event: fc.nat(EVENTS.length - 1), values: fc.array(number, { minLength: 4, maxLength: 4 }), hexes: fc.array(hex, { minLength: 2, maxLength: 2 }), step: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 80, unit: 'binary' }), fc.constantFrom('9@99999999999999999999.1:postcopy_place_page host=0x1000', '2026-13-45T99:99:99Z postcopy_place_page host=0x1000', '@.:')) },
);
const log = fc.record({
  form: fc.constantFrom<PrefixForm>('none', 'tid', 'iso'),
  lines: fc.array(logLine, { maxLength: 60 }),
  crlf: fc.boolean(),
  mutations: fc.array(mutation, { maxLength: 2 }),
  compress: fc.constantFrom('none', 'gzip', 'zstd'),
});
type Log = { form: PrefixForm; lines: Array<string | { event: number; values: string[]; hexes: string[]; step: number }>; crlf: boolean; mutations: Mutation[]; compress: string };
const renderLog = (l: Log): Buffer => {
  let k = 0;
  const lines = l.lines.map((line) => {
    if (typeof line === 'string') return line;
    k += line.step;
    return renderPrefix(l.form, k, line.values[0]!) + EVENTS[line.event]!(line.values, line.hexes);
  });
  const text = mutate(Buffer.from(lines.join(l.crlf ? '\r\n' : '\n')), l.mutations);
  return l.compress === 'gzip' ? gzipSync(text) : l.compress === 'zstd' ? zstdStored(text) : text;
};
const importOptions = fc.record(
  {
    lenient: fc.boolean(),
    qemuVersion: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('7.2', '10.0', '10.1', '11', 'v2.12.1') }, { weight: 1, arbitrary: fc.constant('x') }),
    vcpus: fc.constantFrom(1, 3, 65536),
    pageSize: fc.constantFrom(4096, 2097152),
  },
  { requiredKeys: [] },
);

describe('QEMU logs: read or refused, whatever the lines', () => {
  it('replayed through every design', async () => {
    await fc.assert(
      fc.asyncProperty(log, importOptions, async (l, opts) => {
        const path = writeFresh('fuzz.log', renderLog(l));
        await readsOrRefuses(() => replayAll(path, { format: 'qemu-log', ...opts }));
      }),
      { numRuns: 150, seed: SEED },
    );
    expect(peakMiB()).toBeLessThan(IN_PROCESS_PEAK_MIB);
  });

  it('imported, with the accounting side table', async () => {
    await fc.assert(
      fc.asyncProperty(log, importOptions, async (l, opts) => {
        const path = writeFresh('fuzz.log', renderLog(l));
        await readsOrRefuses(() => importQemuLog(path, fresh('out.arrow'), opts));
      }),
      { numRuns: 60, seed: SEED },
    );
    expect(peakMiB()).toBeLessThan(IN_PROCESS_PEAK_MIB);
  });
});

// --- compressed inputs ---

let validCsv: Buffer;
let validArrows: Buffer;
beforeAll(async () => {
  for (const ext of ['csv', 'arrows']) {
    const path = join(dir, `valid.${ext}`);
    const w = await createTraceWriter(path, { pageSize: 4096, vcpus: 4 }, { batchRows: 16 });
    await w.write(sampleTrace(80, 4));
    await w.close();
  }
  validCsv = readFileSync(join(dir, 'valid.csv'));
  validArrows = readFileSync(join(dir, 'valid.arrows'));
});

/** A zstd frame of random blocks: any window, any block type and size, any bytes. */
const zstdFrame = fc
  .record({
    descriptor: fc.integer({ min: 0, max: 255 }),
    header: fc.uint8Array({ minLength: 0, maxLength: 9 }),
    blocks: fc.array(fc.record({ type: fc.integer({ min: 0, max: 3 }), size: fc.oneof(fc.nat(300), fc.integer({ min: 0, max: (1 << 21) - 1 })), byte: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 12 }),
  })
  .map(({ descriptor, header, blocks }) =>
    Buffer.concat([
      Buffer.of(0x28, 0xb5, 0x2f, 0xfd, descriptor),
      header,
      ...blocks.map((b, i) => {
        const h = (b.size << 3) | (b.type << 1) | (i === blocks.length - 1 ? 1 : 0);
        return Buffer.concat([Buffer.of(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff), b.type === 1 ? Buffer.of(b.byte) : b.body]);
      }),
    ]),
  );

describe('gzip and zstd inputs: read or refused, whatever the bytes', () => {
  it('mutated compressed traces, named for their format or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('csv', 'arrows'), fc.constantFrom('gzip', 'zstd'), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (format, codec, muts, named) => {
        const plain = format === 'csv' ? validCsv : validArrows;
        const packed = codec === 'gzip' ? gzipSync(plain) : zstdStored(plain);
        const path = writeFresh(named ? `t.${format}.${codec === 'gzip' ? 'gz' : 'zst'}` : 'anonymous', mutate(packed, muts));
        await readsOrRefuses(() => replayAll(path));
      }),
      { numRuns: 120, seed: SEED },
    );
    expect(peakMiB()).toBeLessThan(IN_PROCESS_PEAK_MIB);
  });

  it('zstd frames of random blocks', async () => {
    await fc.assert(
      fc.asyncProperty(zstdFrame, fc.constantFrom('t.csv.zst', 't.log.zst', 't.arrows.zst', 't.zst'), async (frame, name) => {
        const path = writeFresh(name, frame);
        await readsOrRefuses(() => replayAll(path));
      }),
      { numRuns: 120, seed: SEED },
    );
    expect(peakMiB()).toBeLessThan(IN_PROCESS_PEAK_MIB);
  });
});

// --- --expect files ---

const FIGURE_NAMES = ['postcopy-blocktime', 'postcopy-vcpu-blocktime', 'postcopy-latency', 'postcopy-vcpu-latency', 'postcopy-non-vcpu-latency', 'postcopy-latency-dist'];
const jsonValue = fc.oneof(
  fc.integer({ min: -5, max: 100 }),
  fc.constantFrom(2 ** 53, 1e300, -0, 0.5, 'x', null, true, {}),
  fc.array(fc.oneof(fc.nat(100), fc.constantFrom(-1, 2 ** 64, 0.5, 'x', null)), { maxLength: 40 }),
);
const qmp = fc.dictionary(fc.constantFrom(...FIGURE_NAMES, 'status', 'x'), jsonValue, { maxKeys: 7 }).map((figures) => JSON.stringify({ return: figures }));
const hmp = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom('Postcopy Blocktime (ms): ', 'Postcopy Latency (ns): ', 'Postcopy non-vCPU Latency (ns): ', 'Status: '), fc.oneof(fc.nat(100).map(String), fc.constantFrom('-1', '1e999', '', 'x'))).map(([k, v]) => k + v),
      fc.tuple(fc.constantFrom('Postcopy vCPU Blocktime (ms):', 'Postcopy vCPU Latencies (ns):', 'Postcopy Latency Distribution:'), fc.array(fc.nat(100), { maxLength: 30 })).map(([k, xs]) => `${k}\n [${xs.join(', ')}]`),
      fc.string({ maxLength: 60 }),
    ),
    { maxLength: 10 },
  )
  .map((lines) => lines.join('\n'));

describe('--expect files: checked, or refused as the user\'s', () => {
  const LOG = join(ROOT, 'fixtures', 'qemu', 'example1-11.1.log');

  it('QMP JSON and HMP text, generated and mutated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(qmp, hmp), fc.array(mutation, { maxLength: 3 }), async (text, muts) => {
        const expect = writeFresh('expect.txt', mutate(Buffer.from(text), muts));
        // A mismatch (exit 3) is a verdict, not a failure.
        await readsOrRefuses(() => checkAgainstQemu(LOG, { expect, explain: 3 }), [ExitCode.badInput, ExitCode.mismatch]);
      }),
      { numRuns: 120, seed: SEED },
    );
    expect(peakMiB()).toBeLessThan(IN_PROCESS_PEAK_MIB);
  });
});

describe('through the CLI: exit 0 or 2, one line, bounded memory', () => {
  /** Peak memory of a run on these small inputs: the CLI itself takes 50 to 150 MiB. */
  const PEAK_MIB = 400;
  const cli = async (args: string[], codes = [0, 2]): Promise<void> => {
    const r = await blocktimeMeasured(args);
    expect(codes, r.stderr).toContain(r.code);
    expect(r.stderr).not.toContain('internal error');
    // Warnings may come first; the error itself is one line.
    if (r.code === 2) expect(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('blocktime: warning: '))).toHaveLength(1);
    expect(r.peakMiB).toBeLessThan(PEAK_MIB);
  };

  it('QEMU logs, compressed data and --expect files', async () => {
    await fc.assert(
      fc.asyncProperty(log, zstdFrame, fc.oneof(qmp, hmp), async (l, frame, expected) => {
        const logPath = writeFresh('cli.log', renderLog(l));
        await cli(['compare', logPath]);
        await cli(['analyze', writeFresh('cli.csv.zst', frame), '--variant', 'exact']);
        await cli(['analyze', join(ROOT, 'fixtures', 'qemu', 'example1-7.2.log'), '--expect', writeFresh('cli.qmp', expected)], [0, 2, 3]);
      }),
      { numRuns: 4, seed: SEED },
    );
  });
});
