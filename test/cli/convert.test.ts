import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { blocktime } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'blocktime-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The three variants' analyze results in one run: compare --json carries them all. */
async function allResults(file: string): Promise<unknown> {
  const r = await blocktime(['compare', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { results: unknown }).results;
}

describe('convert round trip: csv -> arrow -> ndjson -> arrows -> csv', () => {
  const chain = ['fixtures/examples/example5.csv', join(dir, 'a.arrow'), join(dir, 'b.ndjson'), join(dir, 'c.arrows'), join(dir, 'd.csv')];
  for (let i = 1; i < chain.length; i++) {
    it(`converts ${chain[i - 1]!.split('/').pop()} to ${chain[i]!.split('/').pop()}`, async () => {
      const r = await blocktime(['convert', chain[i - 1]!, chain[i]!]);
      expect(r.stderr).toMatch(new RegExp(`^wrote ${chain[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+(\\.\\d)? (B|KiB)\\)\n$`));
      expect(r.code, r.stderr).toBe(0);
    });
  }
  it('keeps every result of every variant', async () => {
    const first = await allResults(chain[0]!);
    for (const f of chain.slice(1)) expect(await allResults(f)).toEqual(first);
  });
});
