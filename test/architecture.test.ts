/**
 * The house rules of src/, checked on every import of every file: the command
 * line depends on the core and never the reverse (only src/cli/ imports
 * commander or anything under src/cli/), and the top-level folders depend on
 * each other one way, without a cycle. A subfolder counts as part of its
 * top-level folder (capture/native is capture); each top-level file
 * (errors.ts, index.ts, ...) is a node of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface ImportSite {
  /** The importing file, relative to src/ with forward slashes. */
  file: string;
  line: number;
  specifier: string;
}

/**
 * Every module specifier `text` imports: `import` and `export ... from`
 * (types included), `import x = require()`, `import('...')` calls and
 * `import('...')` types. A dynamic import of anything but a string literal
 * cannot be checked, and is returned with `specifier` undefined.
 */
function importsOf(text: string, fileName: string): Array<{ line: number; specifier: string | undefined }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Array<{ line: number; specifier: string | undefined }> = [];
  const add = (node: ts.Node, spec: ts.Node | undefined): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ line, specifier: spec && ts.isStringLiteralLike(spec) ? spec.text : undefined });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node)) add(node, ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const toPosix = (p: string): string => p.split(sep).join('/');

/** The node a file of src/ belongs to: its top-level folder, or the file itself at the top. */
function nodeOf(fromSrc: string): string {
  const slash = fromSrc.indexOf('/');
  return slash < 0 ? fromSrc : fromSrc.slice(0, slash);
}

/** Where a relative specifier of `file` points, relative to src/ (undefined: a package, or outside src/). */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const path = toPosix(relative(SRC, resolve(SRC, dirname(file), specifier)));
  return path.startsWith('../') ? undefined : path;
}

const sites: ImportSite[] = [];
const unreadable: string[] = [];
for (const path of sourceFiles(SRC)) {
  const file = toPosix(relative(SRC, path));
  for (const { line, specifier } of importsOf(readFileSync(path, 'utf8'), path)) {
    if (specifier === undefined) unreadable.push(`src/${file}:${line}`);
    else sites.push({ file, line, specifier });
  }
}

const where = (s: ImportSite): string => `src/${s.file}:${s.line} '${s.specifier}'`;

/** For each node, the nodes it imports, with the first import that does it. */
function folderGraph(all: readonly ImportSite[]): Map<string, Map<string, ImportSite>> {
  const graph = new Map<string, Map<string, ImportSite>>();
  for (const s of all) {
    const to = target(s.file, s.specifier);
    if (to === undefined) continue;
    const a = nodeOf(s.file);
    const b = nodeOf(to);
    if (a === b) continue;
    const out = graph.get(a) ?? new Map<string, ImportSite>();
    if (!out.has(b)) out.set(b, s);
    graph.set(a, out);
  }
  return graph;
}

/**
 * The cycles of a graph: each strongly connected component of more than one
 * node (Tarjan), its nodes sorted, and one loop through them in import
 * order, starting and ending with the same node.
 */
function findCycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): Array<{ nodes: string[]; loop: string[] }> {
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])])].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  // One loop through each component, by the shortest way back to its first node.
  return components.map((component) => {
    const members = new Set(component);
    const nodes = [...component].sort();
    const start = nodes[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return { nodes, loop: [...path, start] };
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    throw new Error(`component ${component.join(', ')} has no loop through ${start}`);
  });
}

describe('the import scanner', () => {
  it('sees every form of import, and says which it cannot follow', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import e = require('./e.js');",
      "const f = await import('./f.js');",
      'const g = await import(name);',
      "type H = import('./h.js').H;",
      "// import './comment.js';",
      "const s = \"import './string.js'\";",
    ].join('\n');
    expect(importsOf(text, 'x.ts')).toEqual([
      { line: 1, specifier: './a.js' },
      { line: 2, specifier: '../b.js' },
      { line: 3, specifier: './c.js' },
      { line: 4, specifier: './d.js' },
      { line: 5, specifier: './e.js' },
      { line: 6, specifier: './f.js' },
      { line: 7, specifier: undefined },
      { line: 8, specifier: './h.js' },
    ]);
  });

  it('reads the imports of src/, static and dynamic', () => {
    expect(sites.some((s) => s.file === 'cli/main.ts' && s.specifier === 'commander')).toBe(true);
    expect(sites.some((s) => s.file === 'cli/main.ts' && s.specifier === './analyze.js')).toBe(true);
    expect(unreadable).toEqual([]);
  });

  it('finds a cycle between folders, and none where there is none', () => {
    const edges = (list: string[]): Map<string, Map<string, true>> => {
      const g = new Map<string, Map<string, true>>();
      for (const e of list) {
        const [a, b] = e.split('->') as [string, string];
        g.set(a, (g.get(a) ?? new Map<string, true>()).set(b, true));
      }
      return g;
    };
    expect(findCycles(edges(['cli->trace', 'cli->replay', 'replay->trace', 'index.ts->replay']))).toEqual([]);
    expect(findCycles(edges(['cli->trace', 'trace->import', 'import->replay', 'replay->trace', 'import->errors.ts']))).toEqual([
      { nodes: ['import', 'replay', 'trace'], loop: ['import', 'replay', 'trace', 'import'] },
    ]);
    expect(findCycles(edges(['a->b', 'b->a', 'b->c', 'c->d', 'd->c', 'a->e', 'e->a']))).toEqual([
      { nodes: ['c', 'd'], loop: ['c', 'd', 'c'] },
      { nodes: ['a', 'b', 'e'], loop: ['a', 'b', 'a'] },
    ]);
  });
});

describe('the house', () => {
  it('only src/cli/ imports commander or anything under src/cli/', () => {
    const outside = sites.filter((s) => nodeOf(s.file) !== 'cli');
    const offenders = outside.filter((s) => s.specifier === 'commander' || s.specifier.startsWith('commander/') || nodeOf(target(s.file, s.specifier) ?? '') === 'cli');
    expect(offenders.map(where)).toEqual([]);
  });

  it('the top-level folders of src/ import each other without a cycle', () => {
    const graph = folderGraph(sites);
    expect(graph.get('cli')?.has('trace')).toBe(true);
    const cycles = findCycles(graph).map(({ nodes, loop }) => {
      const steps = loop.slice(0, -1).map((a, i) => `${a} -> ${loop[i + 1]} (${where(graph.get(a)!.get(loop[i + 1]!)!)})`);
      return `${nodes.join(', ')}: ${steps.join(', ')}`;
    });
    expect(cycles).toEqual([]);
  });
});
