import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGlob, globRegExp, isGlob } from '../../src/fleet/glob.js';
import { testDir } from '../tmp.js';

describe('globRegExp', () => {
  it.each([
    ['*.arrow', 'a.arrow', true],
    ['*.arrow', 'sub/a.arrow', false],
    ['**/*.arrow', 'a.arrow', true],
    ['**/*.arrow', 'x/y/a.arrow', true],
    ['x/**', 'x/y/z.csv', true],
    ['run-?.csv', 'run-1.csv', true],
    ['run-?.csv', 'run-10.csv', false],
    ['run-[0-4].csv', 'run-3.csv', true],
    ['run-[!0-4].csv', 'run-7.csv', true],
    ['run-[!0-4].csv', 'run-3.csv', false],
    ['*.{csv,log}.gz', 'a.log.gz', true],
    ['*.{csv,log}.gz', 'a.arrow.gz', false],
    ['a+b(1).csv', 'a+b(1).csv', true],
  ])('%s against %s: %s', (pattern, path, matches) => {
    expect(globRegExp(pattern).test(path)).toBe(matches);
  });

  it('tells patterns from names', () => {
    expect(isGlob('traces/*.arrow')).toBe(true);
    expect(isGlob('traces/a.arrow')).toBe(false);
  });
});

describe('expandGlob', () => {
  it('walks from the fixed part of the pattern and returns matching files in name order', async () => {
    const dir = testDir();
    mkdirSync(join(dir, 'x', 'y'), { recursive: true });
    for (const f of ['b.csv', 'a.csv', 'x/c.csv', 'x/y/d.csv.gz', 'x/y/e.txt']) writeFileSync(join(dir, f), '');
    expect(await expandGlob(join(dir, '*.csv'))).toEqual([join(dir, 'a.csv'), join(dir, 'b.csv')]);
    expect(await expandGlob(join(dir, '**/*.csv*'))).toEqual(['a.csv', 'b.csv', 'x/c.csv', 'x/y/d.csv.gz'].map((f) => join(dir, f)));
    expect(await expandGlob(join(dir, 'x/*/*'))).toEqual(['x/y/d.csv.gz', 'x/y/e.txt'].map((f) => join(dir, f)));
    expect(await expandGlob(join(dir, 'nothing-*.csv'))).toEqual([]);
  });
});
