import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openTrace } from '../../src/formats/open.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { sampleTrace, scratchDir } from './helpers.js';

const dir = scratchDir();
const bad = (name: string): string => fileURLToPath(new URL(`../../fixtures/bad/${name}`, import.meta.url));

/** Reads the whole trace; returns the warnings, throws what the reader throws. */
async function consume(path: string): Promise<{ rows: number; warnings: string[] }> {
  const warnings: string[] = [];
  const src = await openTrace(path, { onWarning: (m) => warnings.push(m) });
  let rows = 0;
  for await (const b of src.batches()) rows += b.length;
  return { rows, warnings };
}

async function errorOf(path: string): Promise<InputError> {
  try {
    await consume(path);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${path} was read without an error`);
}

const CASES: Array<[string, string]> = [
  ['bad-header.csv', 'line 1: expected the CSV header t_ns,kind,tid,addr,cpu, got "time,kind,tid,addr,cpu"'],
  ['unknown-kind.csv', 'line 5: row 4: column kind: expected vcpu, fault or resolve, got "fualt"'],
  ['unknown-kind.ndjson', 'line 2: row 2: key kind: expected vcpu, fault or resolve, got "page"'],
  ['non-numeric.csv', 'line 4: row 3: column tid: expected an unsigned 32-bit integer, got "abc"'],
  ['addr-above-2-64.csv', 'line 5: row 4: column addr: "18446744073709551616" is above 2^64 - 1; expected a 64-bit address'],
  ['addr-above-2-64.ndjson', 'line 2: row 2: key addr: "0x10000000000000000" is above 2^64 - 1; expected a 64-bit address'],
  [
    'addr-number-too-big.ndjson',
    'line 2: row 2: key addr: the number "9007199254740993" is 2^53 or more and may have been rounded; expected a 0x hex string',
  ],
  ['vcpu-after-fault.csv', 'line 5: row 4: vcpu row after the first fault or resolve (row 3); expected all vcpu rows first'],
  ['duplicate-cpu.csv', 'line 4: row 3: cpu 1 declared twice (first at row 2); expected one vcpu row per cpu'],
  ['tid-on-two-cpus.csv', 'line 4: row 3: tid 101 declared for cpu 2 and for cpu 0 (row 1); expected one cpu per thread'],
  ['empty.csv', 'empty file; expected the CSV header t_ns,kind,tid,addr,cpu'],
  ['empty.arrow', 'empty file; expected an Arrow IPC file or stream'],
  ['truncated.csv', 'line 5: row 4: expected 5 fields (t_ns,kind,tid,addr,cpu), got 4'],
  ['truncated.arrow', 'byte 1870: expected the Arrow file footer: the file is truncated (read its complete batches with --input-format arrows)'],
  ['wrong-schema.arrow', 'Arrow column tid has type float64, expected uint32 (or another integer type)'],
  ['missing-column.arrow', 'Arrow schema has no column cpu (expected cpu: int32)'],
];

describe('malformed input: one line naming the file, the place and what was expected', () => {
  for (const [name, message] of CASES) {
    it(name, async () => {
      const path = bad(name);
      const err = await errorOf(path);
      expect(err.message).toBe(`${path}: ${message}`);
      expect(err.exitCode).toBe(2);
      expect(err.message).not.toContain('\n');
    });
  }
});

describe('a truncated Arrow stream', () => {
  it('yields every complete batch, then one warning', async () => {
    const path = bad('truncated.arrows');
    const { rows, warnings } = await consume(path);
    expect(rows).toBe(8);
    expect(warnings).toEqual([
      `${path}: byte 1544: the stream is cut off inside a message; kept the 8 rows of its 2 complete batches, dropped the rest`,
    ]);
  });

  it('cut off between two batches (no end-of-stream marker): every batch, then one warning', async () => {
    const path = join(dir, 'cut.arrows');
    const w = await createTraceWriter(path, { pageSize: 4096 }, { batchRows: 4 });
    await w.write(sampleTrace(12, 2));
    await w.close();
    writeFileSync(path, readFileSync(path).subarray(0, -8));
    const { rows, warnings } = await consume(path);
    expect(rows).toBe(12);
    expect(warnings).toEqual([`${path}: the stream has no end-of-stream marker (a capture cut off?); kept the 12 rows of its 3 complete batches`]);
  });

  it('a truncated IPC file read as a stream (--input-format arrows) gives back its complete batches', async () => {
    const path = bad('truncated.arrow');
    const warnings: string[] = [];
    const src = await openTrace(path, { format: 'arrows', onWarning: (m) => warnings.push(m) });
    let rows = 0;
    for await (const b of src.batches()) rows += b.length;
    expect(rows).toBe(8);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/the stream is cut off inside a message; kept the 8 rows of its 2 complete batches/);
  });
});
