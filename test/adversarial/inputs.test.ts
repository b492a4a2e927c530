/**
 * Issue 11, the inputs a user hands blocktime: each case as the issue gives
 * its command line, run through the built CLI, with its exit code, its one
 * line of error (or its figures) and its peak memory. Then the siblings of
 * each case found since.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants as zlib } from 'node:zlib';
import { Float64, Int32, Int64, RecordBatch, Schema, Table, Uint32, Uint64, Uint8, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createTraceWriter } from '../../src/formats/write.js';
import { KIND_NAMES } from '../../src/trace/schema.js';
import { sampleTrace } from '../trace/helpers.js';
import { blocktimeMeasured as blocktime, outcome, scratchDir } from './measured.js';

const dir = scratchDir('blocktime-adversarial-inputs-');
const write = (name: string, data: string | Uint8Array): string => {
  writeFileSync(join(dir, name), data);
  return name;
};
const run = (...args: string[]) => blocktime(args, { cwd: dir });
/** Peak memory of a run on a small input: the CLI itself takes 50 to 150 MiB. */
const SMALL_RUN_MIB = 400;

const HEADER = 't_ns,kind,tid,addr,cpu\n';
const C_CSV = `${HEADER}0,vcpu,101,0,2147483647\n10,fault,101,0x1000,\n20,resolve,0,0x1000,\n`;
const W_CSV = `${HEADER}0,vcpu,101,0,0\n-9223372036854775808,fault,101,0x1000,\n9223372036854775807,resolve,0,0x1000,\n`;

/** A zstd frame header (no content size, no checksum) with this window descriptor byte. */
const zstdHeader = (windowDescriptor: number): Buffer => Buffer.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDescriptor);
/** A zstd RLE block: `size` copies of `byte` in four bytes. */
const rleBlock = (size: number, byte: number, last: boolean): Buffer => {
  const h = (size << 3) | (1 << 1) | (last ? 1 : 0);
  return Buffer.of(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, byte);
};

describe('1. a huge vCPU number', () => {
  const EXPECTED = 'exit 2: 1 line: blocktime: c.csv: line 2: row 1: vcpu row with cpu 2147483647; expected a cpu index below 65536, the most vCPUs a trace may have';

  it('blocktime compare c.csv', async () => {
    write('c.csv', C_CSV);
    const r = await run('compare', 'c.csv');
    expect(outcome(r)).toBe(EXPECTED);
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('blocktime analyze c.csv --variant exact', async () => {
    write('c.csv', C_CSV);
    const r = await run('analyze', 'c.csv', '--variant', 'exact');
    expect(outcome(r)).toBe(EXPECTED);
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('Arrow metadata blocktime.vcpus=1000000000', async () => {
    const plain = new Table({
      t_ns: vectorFromArray([0n, 10n, 20n], new Int64()),
      kind: vectorFromArray([0, 1, 2], new Uint8()),
      tid: vectorFromArray([101, 101, 0], new Uint32()),
      addr: vectorFromArray([0n, 0x1000n, 0x1000n], new Uint64()),
      cpu: vectorFromArray([0n, -1n, -1n], new Int64()),
    });
    const table = new Table(new Schema(plain.schema.fields, new Map([['blocktime.vcpus', '1000000000']])), plain.batches);
    write('v.arrow', tableToIPC(table, 'file'));
    const r = await run('analyze', 'v.arrow');
    expect(outcome(r)).toBe('exit 2: 1 line: blocktime: v.arrow: schema metadata blocktime.vcpus is "1000000000", expected a vCPU count from 1 to 65536');
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('--vcpus 100000000', async () => {
    write('ok.csv', `${HEADER}0,vcpu,101,0,0\n10,fault,101,0x1000,\n20,resolve,0,0x1000,\n`);
    const r = await run('compare', 'ok.csv', '--vcpus', '100000000');
    expect(outcome(r)).toBe("exit 2: 1 line: blocktime: --vcpus: invalid value '100000000': expected a vCPU count from 1 to 65536");
  });

  it('sibling: a QEMU log naming vCPU 70000, at its line', async () => {
    write(
      'big.log',
      '2026-11-26T03:50:44.000004Z postcopy_blocktime_tid_cpu_map cpu: 70000, tid: 101\n' +
        '2026-11-26T03:50:44.009997Z postcopy_ram_fault_thread_request Request for HVA=0x7f0e17c01000 rb=pc.ram offset=0x1000 pid=101\n',
    );
    const r = await run('analyze', 'big.log');
    expect(outcome(r)).toBe('exit 2: 1 line: blocktime: big.log: line 1: vCPU 70000; expected a cpu index below 65536, the most vCPUs a trace may have');
  });

  it('sibling: a CSV metadata comment out of range, at its line', async () => {
    write('m.csv', `# blocktime.page_size=4096\n# blocktime.vcpus=0\n${HEADER}0,vcpu,101,0,0\n`);
    const r = await run('analyze', 'm.csv');
    expect(outcome(r)).toBe('exit 2: 1 line: blocktime: m.csv: line 2: metadata comment blocktime.vcpus is "0", expected a vCPU count from 1 to 65536');
  });

});

describe('2. a QEMU log with no newlines; decompression bombs', () => {
  it('blocktime analyze bomb.log.gz (one line of 32 MiB of zeros, gzip -1, four members)', async () => {
    const member = gzipSync(Buffer.alloc(8 << 20), { level: 1 });
    write('bomb.log.gz', Buffer.concat([member, member, member, member]));
    const r = await run('analyze', 'bomb.log.gz');
    expect(outcome(r)).toBe('exit 2: 1 line: blocktime: bomb.log.gz: line 1: a line longer than 1048576 bytes; expected one trace event per line');
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('a zstd log of RLE blocks: 4 GB of newlines from 120 KB', async () => {
    const blocks = Array.from({ length: 30000 }, () => rleBlock(1 << 17, 0x0a, false));
    write('nl.log.zst', Buffer.concat([zstdHeader(7 << 3), ...blocks, rleBlock(1, 0x0a, true)]));
    const r = await run('analyze', 'nl.log.zst');
    expect(outcome(r)).toMatch(/^exit 2: 1 line: blocktime: nl\.log\.zst: line 1: zstd data expands more than 1000 times \(\d+ bytes from \d+\); expected a compressed trace, not a decompression bomb$/);
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('a 1.2 KB zstd frame asking for a 1.9 GiB window', async () => {
    const blocks = Array.from({ length: 300 }, () => rleBlock(1 << 17, 0x61, false));
    write('win.log.zst', Buffer.concat([zstdHeader((20 << 3) | 7), ...blocks, rleBlock(1, 0x0a, true)]));
    const r = await run('analyze', 'win.log.zst');
    expect(outcome(r)).toBe(
      'exit 2: 1 line: blocktime: win.log.zst: line 1: zstd frame with a 2013265920-byte window; expected at most 134217728 (128 MiB, the zstd tool\'s own limit): decompress it with zstd --memory and read the result',
    );
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('sibling: a CSV of blank lines, gzip -9 (over 1000:1)', async () => {
    write('blank.csv.gz', gzipSync(Buffer.concat([Buffer.from(HEADER), Buffer.alloc(64 << 20, 0x0a)]), { level: zlib.Z_BEST_COMPRESSION }));
    const r = await run('analyze', 'blank.csv.gz');
    expect(outcome(r)).toMatch(/^exit 2: 1 line: blocktime: blank\.csv\.gz: byte \d+: gzip data expands more than 1000 times \(\d+ bytes from \d+\); expected a compressed trace, not a decompression bomb$/);
  });

  it('sibling: a CSV row of exactly 1 MiB is read; one byte more is refused', async () => {
    const row = (bytes: number): string => '0,vcpu,101,0,0'.padEnd(bytes, ' ');
    write('at-limit.csv', `${HEADER}${row(1 << 20)}\n`);
    write('over-limit.csv', `${HEADER}${row((1 << 20) + 1)}\n`);
    expect((await run('analyze', 'at-limit.csv', '--json')).code).toBe(0);
    expect(outcome(await run('analyze', 'over-limit.csv'))).toBe(
      'exit 2: 1 line: blocktime: over-limit.csv: byte 23: a line longer than 1048576 bytes; expected one trace row per line',
    );
  });

});

describe('4. converting to NDJSON keeps the metadata', () => {
  it('capture --sim --page-size 2M --memory 8G --faults 5k -o p.arrow && convert p.arrow p.ndjson && analyze p.ndjson --json', async () => {
    expect((await run('capture', '--sim', '--page-size', '2M', '--memory', '8G', '--faults', '5k', '-o', 'p.arrow')).code).toBe(0);
    expect((await run('convert', 'p.arrow', 'p.ndjson')).code).toBe(0);
    const fromNdjson = await run('analyze', 'p.ndjson', '--json');
    const fromArrow = await run('analyze', 'p.arrow', '--json');
    expect(JSON.parse(fromNdjson.stdout)).toMatchObject({ page_size: 2097152, total_blocktime_ns: 33468735, faults: { unresolved: 0 } });
    expect(fromNdjson.stdout).toBe(fromArrow.stdout);
  });

  it('convert --help says what each format carries', async () => {
    const r = await run('convert', '--help');
    expect(r.stdout).not.toContain('carry none');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain("CSV in '# blocktime.*' comments, NDJSON in a first line of blocktime.* keys");
  });

  it('sibling: an NDJSON metadata line with a start beyond 2^53 as a number, at its line', async () => {
    write('m.ndjson', '{"blocktime.page_size":4096,"blocktime.start_ns":9223372036854775807}\n{"t_ns":0,"kind":"vcpu","tid":1,"cpu":0}\n');
    expect(outcome(await run('analyze', 'm.ndjson'))).toBe(
      'exit 2: 1 line: blocktime: m.ndjson: line 1: metadata blocktime.start_ns is a number beyond 2^53, which JSON readers round; expected a string of digits',
    );
  });
});

describe('5. extreme timestamps', () => {
  const REFUSED =
    "exit 2: 1 line: blocktime: w.csv: row 2: t_ns -9223372036854775808 is 2^53 ns (104 days) or more from the first row's 0; expected a trace spanning less than that (the replay keeps times as exact offsets from its first row)";

  it('blocktime analyze w.csv --json', async () => {
    write('w.csv', W_CSV);
    const r = await run('analyze', 'w.csv', '--json');
    expect(outcome(r)).toBe(REFUSED);
    expect(r.stdout).toBe('');
  });

  it('blocktime compare w.csv', async () => {
    write('w.csv', W_CSV);
    expect(outcome(await run('compare', 'w.csv'))).toBe(REFUSED);
  });

  it('compare reports the same anomalies as analyze', async () => {
    write('neg.csv', `${HEADER}0,vcpu,101,0,0\n10,fault,101,0x1000,\n5,resolve,0,0x1000,\n`);
    const analyzed = await run('analyze', 'neg.csv');
    const compared = await run('compare', 'neg.csv');
    expect(analyzed.stdout).toMatch(/\s1 {2}resolves earlier than their fault \(counted as 0 ns\)/);
    expect(compared.stdout).toMatch(/Anomalies.*\n {2}exact\n\s+1 {2}resolves earlier than their fault \(counted as 0 ns\)\n {2}mutex\n\s+1 {2}resolves earlier/);
  });

  it('sibling: figures that add up past 2^53 are refused, each below it is printed exactly', async () => {
    write('s3.csv', `${HEADER}0,vcpu,101,0,0\n0,vcpu,102,0,1\n0,vcpu,103,0,2\n1,fault,101,0x1000,\n1,fault,102,0x1000,\n1,fault,103,0x1000,\n9007199254740991,resolve,0,0x1000,\n`);
    const analyzed = await run('analyze', 's3.csv', '--json', '--variant', 'exact');
    expect(analyzed.code).toBe(0);
    expect(analyzed.stdout).toContain('"vcpu_blocktime_ns":[9007199254740990,9007199254740990,9007199254740990]');
    expect(outcome(await run('compare', 's3.csv', '--json'))).toBe(
      'exit 2: 1 line: blocktime: s3.csv: compare.vcpu_sum.exact_ns comes to about 2.702e+16, beyond 2^53 (104 days in ns), where it cannot be given exactly; expected a trace whose figures stay below that',
    );
  });

});

describe('10. Arrow files from other tools', () => {
  const rows = { t: [0n, 10n, 20n], kind: ['vcpu', 'fault', 'resolve'], tid: [101n, 101n, 0n], addr: [0n, 0x1000n, 0x1000n], cpu: [0n, null, null] };

  it('pyarrow\'s defaults: a plain utf8 kind column and int64 integers', async () => {
    write('py.arrow', tableToIPC(new Table({
      t_ns: vectorFromArray(rows.t, new Int64()),
      kind: vectorFromArray(rows.kind, new Utf8()),
      tid: vectorFromArray(rows.tid, new Int64()),
      addr: vectorFromArray(rows.addr, new Int64()),
      cpu: vectorFromArray(rows.cpu, new Int64()),
    }), 'file'));
    write('py.csv', `${HEADER}0,vcpu,101,0,0\n10,fault,101,0x1000,\n20,resolve,0,0x1000,\n`);
    const fromArrow = await run('analyze', 'py.arrow', '--json');
    expect(fromArrow.code).toBe(0);
    expect(fromArrow.stdout).toBe((await run('analyze', 'py.csv', '--json')).stdout);
  });

  it('what cannot be read is refused, naming the column', async () => {
    write('float.arrow', tableToIPC(new Table({
      t_ns: vectorFromArray(rows.t, new Int64()),
      kind: vectorFromArray(rows.kind, new Utf8()),
      tid: vectorFromArray([101, 101, 0], new Float64()),
      addr: vectorFromArray(rows.addr, new Uint64()),
      cpu: vectorFromArray(rows.cpu, new Int64()),
    }), 'file'));
    expect(outcome(await run('analyze', 'float.arrow'))).toBe(
      'exit 2: 1 line: blocktime: float.arrow: Arrow column tid has type float64, expected uint32 (or another integer type)',
    );
  });
});

describe('10, siblings: Arrow files that hung or exhausted memory', () => {
  it('an empty record batch between two others (pyarrow writes them): read, where the reader waited forever', async () => {
    const batch = (t: bigint[], kind: number[], tid: number[], addr: bigint[], cpu: number[]) =>
      new RecordBatch({
        t_ns: vectorFromArray(t, new Int64()).data[0]!,
        kind: vectorFromArray(kind, new Uint8()).data[0]!,
        tid: vectorFromArray(tid, new Uint32()).data[0]!,
        addr: vectorFromArray(addr, new Uint64()).data[0]!,
        cpu: vectorFromArray(cpu, new Int32()).data[0]!,
      });
    const table = new Table([batch([0n, 10n], [0, 1], [101, 101], [0n, 0x1000n], [0, -1]), batch([], [], [], [], []), batch([20n], [2], [0], [0x1000n], [-1])]);
    write('gap.arrow', tableToIPC(table, 'file'));
    write('gap.arrows', tableToIPC(table, 'stream'));
    for (const name of ['gap.arrow', 'gap.arrows']) {
      const r = await run('analyze', name, '--json');
      expect([name, r.code, JSON.parse(r.stdout).total_blocktime_ns]).toEqual([name, 0, 10]);
    }
  });

  it('a kind dictionary whose metadata claims 2^31 names over four', async () => {
    const path = join(dir, 'dict.arrows');
    const w = await createTraceWriter(path, { pageSize: 4096 }, { batchRows: 4 });
    await w.write(sampleTrace(8, 2));
    await w.close();
    // The second message is the kind dictionary: its lengths of 4 (the batch's and the field node's) become 2^31 - 1.
    const b = readFileSync(path);
    const dictionaryAt = 8 + b.readInt32LE(4);
    const metadataEnd = dictionaryAt + 8 + b.readInt32LE(dictionaryAt + 4);
    for (let p = dictionaryAt + 8; p + 8 <= metadataEnd; p += 8) if (b.readBigInt64LE(p) === BigInt(KIND_NAMES.length)) b.writeBigInt64LE(2n ** 31n - 1n, p);
    write('dict.arrows', b);
    const r = await run('analyze', 'dict.arrows');
    // Four names' five int32 offsets are padded to 8 bytes: six slots, read as offsets for five.
    expect(outcome(r)).toBe('exit 2: 1 line: blocktime: dict.arrows: the kind dictionary claims 2147483647 names but holds offsets for 5');
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });
});

describe('siblings that held before: kept as guards', () => {
  it('N = 65536, the largest allowed, on a three-row trace stays small', async () => {
    write('top.csv', `${HEADER}0,vcpu,101,0,65535\n10,fault,101,0x1000,\n20,resolve,0,0x1000,\n`);
    const r = await run('compare', 'top.csv', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).vcpus).toBe(65536);
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('a 16 MiB file of random bytes with no name to go by', async () => {
    const bytes = Buffer.alloc(16 << 20);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
    write('blob', bytes);
    const r = await run('analyze', 'blob');
    expect(outcome(r)).toMatch(/^exit 2: 1 line: blocktime: blob: /);
    expect(r.peakMiB).toBeLessThan(SMALL_RUN_MIB);
  });

  it('a start_ns at the far end of int64 is exact', async () => {
    write('e.csv', `# blocktime.start_ns=-9223372036854775808\n${HEADER}9223372036854775000,vcpu,101,0,0\n9223372036854775100,fault,101,0xffffffffffffffff,\n9223372036854775200,resolve,0,0xfffffffffffff000,\n`);
    const r = await run('analyze', 'e.csv', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ total_blocktime_ns: 100, vcpu_blocktime_ns: [100] });
  });
});
