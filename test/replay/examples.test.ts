import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../src/replay/engine.js';
import { VARIANTS } from '../../src/replay/result.js';
import { openTrace } from '../../src/formats/open.js';

const dir = new URL('../../fixtures/examples/', import.meta.url);

/** Every leaf of a JSON value with its path, so a mismatch names the field. */
function leaves(v: unknown, path = ''): Array<[string, unknown]> {
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leaves(x, `${path}.${k}`));
  }
  return [[path, v]];
}

describe('docs/blocktime.md worked examples', () => {
  for (const k of [1, 2, 3, 4, 5]) {
    for (const variant of VARIANTS) {
      it(`example ${k}, ${variant}: every field of the contract`, async () => {
        const expected = JSON.parse(readFileSync(new URL(`example${k}.${variant}.json`, dir), 'utf8')) as unknown;
        const source = await openTrace(new URL(`example${k}.csv`, dir).pathname);
        const { results } = await replayTrace(source, [variant]).finally(() => source.close());
        const actual = results[variant];
        expect(new Map(leaves(actual))).toEqual(new Map(leaves(expected)));
      });
    }
    it(`example ${k}: one row per batch gives the same results for all variants at once`, async () => {
      const path = new URL(`example${k}.csv`, dir).pathname;
      const whole = await openTrace(path);
      const a = await replayTrace(whole, [...VARIANTS]).finally(() => whole.close());
      const rowByRow = await openTrace(path, { batchRows: 1 });
      const b = await replayTrace(rowByRow, [...VARIANTS]).finally(() => rowByRow.close());
      expect(b.timing.events).toBe(a.timing.events);
      expect(b.results).toEqual(a.results);
    });
  }
});
