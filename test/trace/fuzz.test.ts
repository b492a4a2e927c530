import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openTrace } from '../../src/formats/open.js';
import { createTraceWriter } from '../../src/formats/write.js';
import { sampleTrace, scratchDir } from './helpers.js';

const dir = scratchDir();
const EXTENSIONS = ['arrow', 'arrows', 'csv', 'ndjson'] as const;
const valid: Record<string, Uint8Array> = {};

beforeAll(async () => {
  for (const ext of EXTENSIONS) {
    const path = join(dir, `valid.${ext}`);
    const w = await createTraceWriter(path, { pageSize: 4096, vcpus: 4, source: { kind: 'fuzz' } }, { batchRows: 16 });
    await w.write(sampleTrace(60, 4));
    await w.close();
    valid[ext] = await readFile(path);
  }
});

/** Reads the file to the end; anything thrown must be an InputError (exit 2), never a crash. */
async function readsOrRejects(path: string): Promise<void> {
  try {
    const src = await openTrace(path, { onWarning: () => undefined });
    for await (const b of src.batches()) expect(b.length).toBeGreaterThan(0);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    expect(err.message).not.toContain('\n');
  }
}

type Mutation = { at: number; op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; byte: number };

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
  byte: fc.integer({ min: 0, max: 255 }),
}) as fc.Arbitrary<Mutation>;

function mutate(src: Uint8Array, muts: Mutation[]): Uint8Array {
  let b = Buffer.from(src);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.op) {
      case 'flip':
        b[at] = b[at]! ^ (1 << m.byte % 8);
        break;
      case 'set':
        b[at] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.of(m.byte), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

let n = 0;
const fresh = (ext: string): string => join(dir, `case-${n++}.${ext}`);
const RUNS = 100;

describe('readers never crash: they read or throw InputError', () => {
  for (const ext of EXTENSIONS) {
    it(`random bytes as .${ext}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
          const path = fresh(ext);
          writeFileSync(path, bytes);
          await readsOrRejects(path);
        }),
        { numRuns: RUNS, seed: 20261126 },
      );
    });

    it(`mutated valid .${ext} files`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (muts) => {
          const path = fresh(ext);
          writeFileSync(path, mutate(valid[ext]!, muts));
          await readsOrRejects(path);
        }),
        { numRuns: RUNS, seed: 20261126 },
      );
    });
  }

  it('random bytes with a text header in front, as .csv and .ndjson', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200, unit: 'binary' }), fc.boolean(), async (text, csv) => {
        const path = fresh(csv ? 'csv' : 'ndjson');
        writeFileSync(path, (csv ? 't_ns,kind,tid,addr,cpu\n0,vcpu,1,0,0\n' : '{"t_ns":0,"kind":"vcpu","tid":1,"addr":"0x0","cpu":0}\n') + text);
        await readsOrRejects(path);
      }),
      { numRuns: RUNS, seed: 20261126 },
    );
  });
});
