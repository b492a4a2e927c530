/**
 * The documents code and tests cite are in the repository: every
 * `docs/<page>.md` (with an optional `#anchor`) named in src/, test/,
 * scripts/, notebooks/, fixtures/ or README.md exists, and its anchor is a
 * heading of that page. Nothing cites the specification files that lived
 * outside the repository, which a clone cannot read.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const SCANNED = ['src', 'test', 'scripts', 'notebooks', 'fixtures', 'README.md'];
const CITATION = /\bdocs\/([A-Za-z0-9_./-]+\.md)(?:#([A-Za-z0-9_-]+))?/g;
// Spelled in pieces, so that this file does not cite them itself.
const OUTSIDE = [
  ...['BLOCKTIME', 'TRACE-FORMAT', 'QEMU-TRACES', 'QEMU-TWO-SIDED', 'ARCHITECTURE'].map((name) => `${name}.md`),
  ['..', 'shared', ''].join('/'),
  ['', 'work', 'shared'].join('/'),
];

interface Citation {
  at: string;
  page: string;
  anchor?: string;
}

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(path, e.name)) : [join(path, e.name)]));
}

function scannedFiles(): Array<{ path: string; text: string }> {
  const paths = SCANNED.flatMap((p) => (p.endsWith('.md') ? [p] : filesUnder(p)));
  return paths
    .map((path) => ({ path, bytes: readFileSync(join(ROOT, path)) }))
    .filter(({ bytes }) => !bytes.includes(0)) // binary: Arrow traces, compiled addons
    .map(({ path, bytes }) => ({ path, text: bytes.toString('utf8') }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function citations(files: Array<{ path: string; text: string }>): Citation[] {
  const out: Citation[] = [];
  for (const { path, text } of files) {
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(CITATION)) {
        const c: Citation = { at: `${path}:${i + 1}`, page: m[1]! };
        if (m[2] !== undefined) c.anchor = m[2];
        out.push(c);
      }
    });
  }
  return out;
}

describe('headingAnchors', () => {
  it('spells anchors as GitHub does', () => {
    const md = ['# Title', '## Variant 1: `mutex` (QEMU 10.1 and later)', '```', '# not a heading', '```', '## The `analyze --json` result', '## Title'].join('\n');
    expect([...headingAnchors(md)]).toEqual(['title', 'variant-1-mutex-qemu-101-and-later', 'the-analyze---json-result', 'title-1']);
  });
});

describe('documents cited by the code', () => {
  const files = scannedFiles();
  const cited = citations(files);

  it('are cited at all (the scan sees the sources)', () => {
    expect(files.some((f) => f.path.startsWith('src/'))).toBe(true);
    expect(cited.length).toBeGreaterThan(0);
  });

  it('exist in docs/, with the headings their anchors name', () => {
    const missing: string[] = [];
    const anchorsOf = new Map<string, Set<string>>();
    for (const c of cited) {
      const page = join(ROOT, 'docs', c.page);
      if (!existsSync(page)) {
        missing.push(`${c.at}: docs/${c.page} does not exist`);
        continue;
      }
      if (c.anchor === undefined) continue;
      let anchors = anchorsOf.get(page);
      if (!anchors) anchorsOf.set(page, (anchors = headingAnchors(readFileSync(page, 'utf8'))));
      if (!anchors.has(c.anchor)) missing.push(`${c.at}: docs/${c.page} has no heading #${c.anchor}`);
    }
    expect(missing).toEqual([]);
  });

  it('never the specification files outside the repository', () => {
    const found: string[] = [];
    for (const { path, text } of files) {
      text.split('\n').forEach((line, i) => {
        for (const name of OUTSIDE) if (line.includes(name)) found.push(`${path}:${i + 1}: ${name}`);
      });
    }
    expect(found).toEqual([]);
  });
});
