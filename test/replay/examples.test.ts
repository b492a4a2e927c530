import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replayBatches } from '../../src/replay/engine.js';
import { VARIANTS } from '../../src/replay/result.js';
import { subBatch } from '../../src/trace/batch.js';
import { readCsvFixture } from './csv-fixture.js';

const dir = new URL('../../fixtures/examples/', import.meta.url);

/** Every leaf of a JSON value with its path, so a mismatch names the field. */
function leaves(v: unknown, path = ''): Array<[string, unknown]> {
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leaves(x, `${path}.${k}`));
  }
  return [[path, v]];
}

describe('BLOCKTIME.md worked examples', () => {
  for (const k of [1, 2, 3, 4, 5]) {
    for (const variant of VARIANTS) {
      it(`example ${k}, ${variant}: every field of the contract`, async () => {
        const { meta, batch } = readCsvFixture(new URL(`example${k}.csv`, dir).pathname);
        const expected = JSON.parse(readFileSync(new URL(`example${k}.${variant}.json`, dir), 'utf8')) as unknown;
        const { results } = await replayBatches(meta, [batch], [variant]);
        const actual = results[variant];
        expect(new Map(leaves(actual))).toEqual(new Map(leaves(expected)));
      });
    }
    it(`example ${k}: one row per batch gives the same results for all variants at once`, async () => {
      const { meta, batch } = readCsvFixture(new URL(`example${k}.csv`, dir).pathname);
      const whole = await replayBatches(meta, [batch], [...VARIANTS]);
      const rows = Array.from({ length: batch.length }, (_, i) => subBatch(batch, i, i + 1));
      const split = await replayBatches(meta, rows, [...VARIANTS]);
      expect(split.results).toEqual(whole.results);
    });
  }
});
