/**
 * docs/implementations.md maps every copy of each design to the tests that
 * keep it equal to the others: when a file it names moves or goes, the map
 * must follow.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const PAGE = readFileSync(join(ROOT, 'docs/implementations.md'), 'utf8');

/** Repository paths the page names in backquotes (a `*` stands for any characters within a name). */
const named = [...new Set([...PAGE.matchAll(/`((?:src|test|scripts|fixtures)\/[^`\s]*)`/g)].map((m) => m[1]!))];

function exists(path: string): boolean {
  if (!path.includes('*')) return existsSync(join(ROOT, path));
  const dir = join(ROOT, dirname(path));
  const name = new RegExp(`^${path.slice(path.lastIndexOf('/') + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return existsSync(dir) && readdirSync(dir).some((f) => name.test(f));
}

describe('docs/implementations.md', () => {
  it('names only files that exist', () => {
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !exists(p))).toEqual([]);
  });

  it('names every file that replays a design: each scaffold subclass and each native design', () => {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' });
    const replays = sources.filter((f) => f.endsWith('.ts') && /extends (Variant|Replay)Scaffold\b/.test(readFileSync(join(ROOT, 'src', f), 'utf8')));
    const native = sources.filter((f) => f.endsWith('_design.c'));
    expect(replays.length).toBeGreaterThanOrEqual(4);
    expect(native.length).toBeGreaterThanOrEqual(2);
    expect([...replays, ...native].map((f) => `src/${f}`).filter((p) => !named.includes(p))).toEqual([]);
  });
});
