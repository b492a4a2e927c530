import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { columns, readAll, scratchDir } from './helpers.js';

const dir = scratchDir();
let n = 0;
function file(ext: string, text: string): string {
  const path = join(dir, `t${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const EXTREMES = {
  t: [-(2n ** 63n), 2n ** 63n - 1n, 0n, 9007199254740993n],
  // No vcpu row: cpu 2^31 - 1 is beyond the vCPUs a trace may have, but any int32 reads on another row.
  kind: [1, 1, 2, 1],
  tid: [4294967295, 4294967295, 0, 7],
  addr: [0n, 2n ** 64n - 1n, 2n ** 63n + 4096n, 255n],
  cpu: [2147483647, -1, -1, -2147483648],
};

describe('CSV', () => {
  it('reads decimal and hex addresses, empty cpu, comments, blank lines, CRLF and blanks around fields, exactly at the 64-bit limits', async () => {
    const path = file(
      'csv',
      '\uFEFF# a comment\r\n' +
        't_ns,kind,tid,addr,cpu\r\n' +
        '-9223372036854775808,fault,4294967295,0,2147483647\r\n' +
        '\n' +
        '# another\n' +
        '9223372036854775807, fault ,4294967295,0xFFFFFFFFFFFFFFFF,\n' +
        '0,resolve,0,9223372036854779904, \n' +
        '9007199254740993,fault,7,0xff,-2147483648',
    );
    expect(columns((await readAll(path)).rows)).toEqual(EXTREMES);
  });

  it('takes # blocktime.<key>=<value> comments before the header as metadata', async () => {
    const path = file('csv', '# blocktime.page_size=2097152\n# blocktime.vcpus=2\n# blocktime.source={"kind":"x"}\nt_ns,kind,tid,addr,cpu\n1,vcpu,5,0,0\n');
    expect((await readAll(path)).meta).toEqual({ pageSize: 2097152, vcpus: 2, source: { kind: 'x' } });
  });

  it('a header alone is an empty trace', async () => {
    expect((await readAll(file('csv', 't_ns,kind,tid,addr,cpu\n'))).lengths).toEqual([]);
  });

  it.each([
    ['1,vcpu,1,0,0\n2,fault,1,0x1000,,\n', 'line 3: row 2: expected 5 fields (t_ns,kind,tid,addr,cpu), got 6'],
    ['1.5,vcpu,1,0,0\n', 'line 2: row 1: column t_ns: expected a signed 64-bit integer of nanoseconds, got "1.5"'],
    ['9223372036854775808,vcpu,1,0,0\n', 'line 2: row 1: column t_ns: "9223372036854775808" is out of range; expected a signed 64-bit integer of nanoseconds'],
    ['1,vcpu,4294967296,0,0\n', 'line 2: row 1: column tid: "4294967296" is out of range; expected an unsigned 32-bit integer'],
    ['1,vcpu,1,0x,0\n', 'line 2: row 1: column addr: expected an unsigned 64-bit integer (decimal or 0x hex), got "0x"'],
    ['1,vcpu,1,0x10000000000000000,0\n', 'line 2: row 1: column addr: "0x10000000000000000" is above 2^64 - 1; expected a 64-bit address'],
    ['1,vcpu,1,0,x\n', 'line 2: row 1: column cpu: expected a signed 32-bit integer, got "x"'],
    ['1,vcpu,1,0,\n', 'line 2: row 1: vcpu row with cpu -1; expected a cpu index >= 0'],
    ['1,vcpu,1,0,3\n', 'line 2: row 1: vcpu row with cpu 3; expected a cpu index below the trace\'s 2 vCPUs'],
  ])('%j is refused', async (rows, message) => {
    const path = file('csv', `t_ns,kind,tid,addr,cpu\n${rows}`);
    const err = await readAll(path, { vcpus: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${path}: ${message}`);
  });
});

describe('NDJSON', () => {
  it('reads exact 64-bit values, t_ns as a string, cpu null, and ignores other scalar keys', async () => {
    const path = file(
      'ndjson',
      '{"t_ns":-9223372036854775808,"kind":"fault","tid":4294967295,"addr":"0x0","cpu":2147483647}\n' +
        '  {"kind":"fault", "t_ns":"9223372036854775807", "tid":4294967295, "addr":"0xFFFFFFFFFFFFFFFF", "cpu":null, "note":"x\\"y", "ok":true}\r\n' +
        '\n' +
        '{"t_ns":0,"kind":"resolve","tid":0,"addr":"9223372036854779904"}\n' +
        '{"t_ns":9007199254740993,"kind":"fault","tid":7,"addr":255,"cpu":-2147483648,"w":-1.5e3}',
    );
    expect(columns((await readAll(path)).rows)).toEqual(EXTREMES);
  });

  it.each([
    ['{"t_ns":1,"kind":"fault","tid":1}', 'line 1: row 1: missing key addr; expected the address of a fault or resolve'],
    ['{"t_ns":1,"tid":1,"addr":"0x1"}', 'line 1: row 1: missing key kind; expected an object with t_ns, kind, tid, addr, cpu'],
    ['{"t_ns":1,"t_ns":2,"kind":"fault","tid":1,"addr":"0x1"}', 'line 1: row 1: key t_ns appears twice'],
    ['{"t_ns":1.5,"kind":"fault","tid":1,"addr":"0x1"}', 'line 1: row 1: key t_ns: expected a signed 64-bit integer of nanoseconds, got "1.5"'],
    ['{"t_ns":1,"kind":"fault","tid":1,"addr":"0x1","x":{"y":1}}', 'line 1: row 1: expected a flat object (scalar values only) at column 51, got "{\\"y\\":1}}"'],
    ['[1,2]', 'line 1: row 1: expected a JSON object at column 1, got "[1,2]"'],
    ['{"t_ns":1,"kind":"fault","tid":1,"addr":"0x1"} x', 'line 1: row 1: expected the end of the line after the object at column 48, got "x"'],
  ])('%s is refused', async (line, message) => {
    const path = file('ndjson', `${line}\n`);
    const err = await readAll(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${path}: ${message}`);
  });
});

describe('NDJSON metadata line', () => {
  it('takes a first line of blocktime.* keys as the metadata, numbers or strings, source an object or its text', async () => {
    const path = file(
      'ndjson',
      '\n{"blocktime.page_size":2097152,"blocktime.vcpus":"2","blocktime.start_ns":"-9223372036854775808","blocktime.source":{"kind":"x","n":[1]},"note":"ignored"}\n' +
        '{"t_ns":1,"kind":"vcpu","tid":5,"addr":"0x0","cpu":0}\n{"t_ns":2,"kind":"fault","tid":5,"addr":"0x1000","cpu":null}\n',
    );
    const { rows, meta } = await readAll(path);
    expect(meta).toEqual({ pageSize: 2097152, vcpus: 2, startNs: -(2n ** 63n), source: { kind: 'x', n: [1] } });
    expect(columns(rows).t).toEqual([1n, 2n]);
    const text = file('ndjson', '{"blocktime.source":"{\\"kind\\":\\"y\\"}"}\n');
    expect((await readAll(text)).meta).toEqual({ pageSize: 4096, source: { kind: 'y' } });
  });

  it('a metadata line alone is an empty trace; a first line with t_ns is a row, its blocktime.* keys ignored', async () => {
    const empty = await readAll(file('ndjson', '{"blocktime.page_size":4096}\n'));
    expect([empty.lengths, empty.meta]).toEqual([[], { pageSize: 4096 }]);
    const row = await readAll(file('ndjson', '{"t_ns":1,"kind":"vcpu","tid":5,"addr":"0x0","cpu":0,"blocktime.page_size":"x"}\n'));
    expect([row.lengths, row.meta]).toEqual([[1], { pageSize: 4096 }]);
  });

  it.each([
    ['{"blocktime.page_size":3000}', 'line 1: metadata blocktime.page_size is "3000", expected a power of two'],
    ['{"blocktime.vcpus":65537}', 'line 1: metadata blocktime.vcpus is "65537", expected a vCPU count from 1 to 65536'],
    ['{"blocktime.start_ns":9007199254740993}', 'line 1: metadata blocktime.start_ns is a number beyond 2^53, which JSON readers round; expected a string of digits'],
    ['{"blocktime.vcpus":[2]}', 'line 1: metadata blocktime.vcpus is [2]; expected a number, a string or (blocktime.source) an object'],
    ['{"blocktime.source":"[1]"}', 'line 1: metadata blocktime.source is "[1]", expected a JSON object'],
  ])('%s is refused', async (line, message) => {
    const path = file('ndjson', `${line}\n{"t_ns":1,"kind":"vcpu","tid":5,"addr":"0x0","cpu":0}\n`);
    await expect(readAll(path)).rejects.toThrow(`${path}: ${message}`);
  });
});

describe('text readers (CSV and NDJSON share the skeleton)', () => {
  // Rows, blank lines and comments straddle batches of two rows: each row keeps its own line number.
  const cases: Array<[string, string, string]> = [
    [
      'csv',
      '# c\nt_ns,kind,tid,addr,cpu\n1,vcpu,5,0,0\n\n2,fault,5,0x1000,\n# c\n3,resolve,0,0x1000,\n\n4,vcpu,6,0,1\n',
      'line 9: row 4: vcpu row after the first fault or resolve (row 2); expected all vcpu rows first',
    ],
    [
      'ndjson',
      '{"t_ns":1,"kind":"vcpu","tid":5,"addr":"0x0","cpu":0}\n\n{"t_ns":2,"kind":"fault","tid":5,"addr":"0x1000"}\n  \n{"t_ns":3,"kind":"resolve","tid":0,"addr":"0x1000"}\n\n{"t_ns":4,"kind":"vcpu","tid":6,"addr":"0x0","cpu":1}\n',
      'line 7: row 4: vcpu row after the first fault or resolve (row 2); expected all vcpu rows first',
    ],
  ];
  for (const [ext, text, message] of cases) {
    it(`${ext}: a row checked in a later batch is placed at its own line`, async () => {
      const path = file(ext, text);
      const err = await readAll(path, { batchRows: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe(`${path}: ${message}`);
    });
  }

  it('reads the rows of a file whose rows fill whole batches, and no empty batch after them', async () => {
    const path = file('ndjson', '{"t_ns":1,"kind":"fault","tid":5,"addr":"0x1000"}\n{"t_ns":2,"kind":"resolve","tid":0,"addr":"0x1000"}\n');
    const { rows, lengths } = await readAll(path, { batchRows: 2 });
    expect(lengths).toEqual([2]);
    expect(columns(rows).t).toEqual([1n, 2n]);
  });
});
